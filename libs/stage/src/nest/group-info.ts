import type { GroupStatus } from '../core/group/group-status.js';
import type { RootHealth } from '../core/supervisor/root-health.js';

/**
 * How a group stands with the supervision tree.
 *
 * - `healthy`: it runs, or was stopped or ended normally.
 * - `restart-pending`: the subtree it belongs to (its module, or itself when spawned) failed and
 *   the root restarts it at `restartAt` (epoch ms; absent while the subtree is still stopping).
 * - `gave-up`: it gave up and nothing will restart it by itself (the `shutdown` policy applies,
 *   or the application is shutting down). `StageRegistry.start()` starts it again by hand.
 */
export type GroupHealth =
  | { readonly kind: 'healthy' }
  | {
      readonly kind: 'restart-pending';
      readonly error: Error;
      readonly gaveUpAt: number;
      readonly restartAt?: number;
      /** Consecutive failures of the subtree, from 1. */
      readonly giveUps: number;
    }
  | { readonly kind: 'gave-up'; readonly error: Error; readonly gaveUpAt: number };

/** What the registry knows about one group. */
export interface GroupInfo {
  readonly name: string;
  /**
   * Where the group comes from: `Class@method` for a `@Supervised` method, `spawn` for a group
   * started through `StageRegistry.spawn()`.
   */
  readonly origin: string;
  /** The channel it consumes in handler mode, if any. */
  readonly channel?: string;
  /** The core's snapshot: state, size, running tasks, restarts, failures, last failure, path. */
  readonly status: GroupStatus;
  readonly health: GroupHealth;
}

/**
 * The application's health, for a readiness or liveness probe: the root supervisor's view.
 *
 * - `healthy`: running, and no subtree is waiting to recover from a failure.
 * - `recovering`: some children of the root failed and wait for their restart (`failing` lists
 *   them, with their error, failure count and restart time); the others run.
 * - `gave-up`: (with the `shutdown` policy) a child failed and the application is shutting down.
 * - `not-running`: before the application bootstrapped, or once it is shutting down.
 */
export type StageHealth = RootHealth;
