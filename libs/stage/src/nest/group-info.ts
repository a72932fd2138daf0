import type { GroupStatus } from '../core/group/group-status.js';

/**
 * How a group stands with the application's root policy.
 *
 * - `healthy`: it has not given up since it was last started.
 * - `restart-pending`: it gave up; the root restarts it at `restartAt` (epoch ms).
 * - `gave-up`: it gave up and nothing will restart it by itself (the `shutdown` policy applies,
 *   or the application is shutting down). `StageRegistry.start()` restarts it by hand.
 */
export type GroupHealth =
  | { readonly kind: 'healthy' }
  | {
      readonly kind: 'restart-pending';
      readonly error: Error;
      readonly gaveUpAt: number;
      readonly restartAt: number;
      /** Consecutive give-ups, from 1. */
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
  /** The core's snapshot: state, size, running tasks, restarts, failures, last failure. */
  readonly status: GroupStatus;
  readonly health: GroupHealth;
}

/** A health summary of every group, for a readiness or liveness probe. */
export interface StageHealth {
  /** `false` while any group has given up and has not been started again. */
  readonly healthy: boolean;
  /** The groups that make the application unhealthy, with why. */
  readonly unhealthy: readonly {
    readonly name: string;
    readonly health: Exclude<GroupHealth, { readonly kind: 'healthy' }>;
  }[];
}
