/** A child of the root that failed and has not recovered. */
export interface FailingChild {
  readonly name: string;
  readonly path: readonly string[];
  /** What it failed with: usually a give-up error, with the cause chain below it. */
  readonly error: Error;
  readonly failedAt: number;
  /** When the root starts it again (epoch ms); absent while it is still being stopped. */
  readonly restartAt?: number;
  /** Its consecutive failures, which the wait grew with. */
  readonly failures: number;
}

/**
 * How the tree under a root supervisor stands, for a readiness or liveness probe.
 *
 * - `healthy`: running, and no child is waiting to recover from a failure.
 * - `recovering`: some children failed (gave up) and wait for their restart; the others run. A
 *   child counts as healthy again once the root has started it again.
 * - `gave-up`: (with `onGiveUp`) a child failed and the root handed it over instead of restarting
 *   it; the application is expected to shut down.
 * - `not-running`: the root is idle, stopping or stopped.
 */
export type RootHealth =
  | { readonly healthy: true; readonly status: 'healthy' }
  | {
      readonly healthy: false;
      readonly status: 'recovering' | 'gave-up';
      readonly failing: readonly FailingChild[];
    }
  | { readonly healthy: false; readonly status: 'not-running' };
