import type { SupervisorGaveUpError } from '../errors/supervisor-gave-up-error.js';
import type { GroupStatus } from '../group/group-status.js';
import type { RestartPolicy } from '../group/restart-policy.js';
import type { ChildExit } from './child.js';
import type { SupervisorStopReport } from './supervisor-stop-report.js';
import type { SupervisorStrategy } from './supervisor-strategy.js';

/** Where a supervisor is in its life. */
export type SupervisorState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running'; readonly since: number }
  /** Past its intensity: stopping its children before escalating. */
  | { readonly kind: 'giving-up'; readonly error: SupervisorGaveUpError }
  /** Its children are stopped and it escalated; its parent decides what comes next. */
  | {
      readonly kind: 'gave-up';
      readonly error: SupervisorGaveUpError;
      readonly at: number;
      readonly report: SupervisorStopReport;
    }
  | { readonly kind: 'stopping' }
  | { readonly kind: 'stopped'; readonly report: SupervisorStopReport };

/** Where a child is, as its supervisor sees it. */
export type ChildState =
  /** Not started in the current run (the supervisor is not running). */
  | { readonly kind: 'idle' }
  | { readonly kind: 'running'; readonly since: number }
  /**
   * Part of a strategy restart: being stopped, or waiting until `restartAt` (epoch ms). `failure`
   * is the child's own failure the restart recovers from; it is absent for a sibling taken along
   * and after a completion under `always`.
   */
  | {
      readonly kind: 'restarting';
      readonly restartAt?: number;
      readonly failure?: { readonly error: Error; readonly at: number };
    }
  /** Exited on its own, and its restart policy leaves it ended. */
  | { readonly kind: 'ended'; readonly exit: ChildExit; readonly at: number }
  /** Being stopped, on purpose or because the supervisor is stopping. */
  | { readonly kind: 'stopping' }
  /** Stopped, on purpose (`stopChild()`) or with the supervisor. */
  | { readonly kind: 'stopped' };

/** A point-in-time snapshot of one child of a supervisor. */
export interface ChildStatus {
  readonly name: string;
  readonly path: readonly string[];
  readonly restart: RestartPolicy;
  readonly state: ChildState;
  /** Strategy restarts of this child, over all the supervisor's runs. */
  readonly restarts: number;
  /**
   * Consecutive exits that called for a restart (failures, and completions under `always`): the
   * count its restart backoff grows with. A run longer than the backoff's `resetAfterMs` resets it.
   */
  readonly failures: number;
  readonly lastFailure?: { readonly error: Error; readonly at: number };
  /** The child's own snapshot, when it has a `status()` (groups and supervisors do). */
  readonly status?: GroupStatus | SupervisorStatus;
}

/** A point-in-time snapshot of a supervisor and, recursively, its children. */
export interface SupervisorStatus {
  /** Tells a supervisor's snapshot from a group's. */
  readonly kind: 'supervisor';
  readonly name: string;
  readonly path: readonly string[];
  readonly strategy: SupervisorStrategy;
  readonly restart: RestartPolicy;
  readonly state: SupervisorState;
  /** Strategy restarts since the supervisor was built, over all its runs. */
  readonly restarts: number;
  /** Child failures seen since the supervisor was built, over all its runs. */
  readonly failures: number;
  /** In start order. */
  readonly children: readonly ChildStatus[];
}
