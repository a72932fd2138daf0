import type { RestartPolicy } from './restart-policy.js';
import type { StopReport } from './stop-report.js';

/** Where a group is in its life. */
export type GroupState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running'; readonly since: number }
  | { readonly kind: 'stopping' }
  | { readonly kind: 'stopped'; readonly report: StopReport }
  | { readonly kind: 'gave-up'; readonly error: Error; readonly at: number }
  | { readonly kind: 'completed' };

/**
 * A point-in-time snapshot of a group: plain data, except its errors (`lastFailure.error`, a
 * gave-up state's `error`), which are the `Error` objects themselves so that callers can tell them
 * apart. `JSON.stringify` writes a Stage error as its name, code, message and cause (see
 * `StageError.toJSON`), but any other `Error` as `{}`: map those to what you want to show (their
 * `message`) before sending a snapshot over the wire.
 */
export interface GroupStatus {
  readonly name: string;
  readonly path: readonly string[];
  readonly state: GroupState;
  readonly size: number;
  readonly restart: RestartPolicy;
  /** Tasks whose run is in progress right now. */
  readonly running: number;
  /** Tasks waiting out their backoff before a restart (not counted in `running`). */
  readonly backingOff: number;
  /** Restarts since the group was built, over all its runs. */
  readonly restarts: number;
  /** Failures since the group was built, over all its runs. */
  readonly failures: number;
  readonly lastFailure?: {
    readonly error: Error;
    readonly index: number;
    readonly attempt: number;
    readonly at: number;
  };
}
