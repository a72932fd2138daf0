import { toError } from '../errors/thrown-value-error.js';
import type { GroupStatus } from '../group/group-status.js';
import type { RestartPolicy } from '../group/restart-policy.js';
import type { ChildExit, SupervisedChild } from './child.js';
import type { ChildStopReport } from './supervisor-stop-report.js';
import type { ChildState, ChildStatus, SupervisorStatus } from './supervisor-status.js';

/** A failure a restart recovers from. */
export interface ChildFailure {
  readonly error: Error;
  readonly at: number;
}

/** Where a child is, as its supervisor tracks it (richer than the public {@link ChildState}). */
export type ChildRecordState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running'; readonly since: number }
  /** Exited on its own and a strategy restart is queued for it. */
  | { readonly kind: 'failed'; readonly exit: ChildExit; readonly at: number }
  /**
   * Taken by strategy restart number `restart`: being stopped, or waiting until `restartAt` (epoch
   * ms, shown in status), which is `restartDue` on the monotonic clock (`performance.now()`, used
   * for arithmetic). Only that restart may start it; a later restart that takes it over replaces
   * the number.
   */
  | {
      readonly kind: 'restarting';
      readonly restart: number;
      readonly restartAt?: number;
      readonly restartDue?: number;
      readonly failure?: ChildFailure;
    }
  | { readonly kind: 'ended'; readonly exit: ChildExit; readonly at: number }
  /** Being stopped; `done` settles once the stop is over and the state says so. */
  | { readonly kind: 'stopping'; readonly done: Promise<ChildStopReport> }
  | { readonly kind: 'stopped' };

/**
 * A supervisor's bookkeeping for one child. Internal: the supervisor owns every write.
 */
export class ChildRecord {
  state: ChildRecordState = { kind: 'idle' };
  /** Strategy restarts of this child, over all runs of the supervisor. */
  restarts = 0;
  /** Consecutive exits that called for a restart; a run of at least `resetAfterMs` resets it. */
  failures = 0;
  lastFailure: ChildFailure | undefined;
  /** When the child was last started, on the monotonic clock; undefined until its first start. */
  startedAt: number | undefined;
  /** Set once the child has left the supervisor; a removed record is never started again. */
  removed = false;
  /**
   * How many times `stopChild` was called for it; only grows. A `startChild` waiting for a stop
   * to end starts nothing if another `stopChild` came meanwhile: the last call wins.
   */
  stopRequests = 0;

  constructor(
    readonly child: SupervisedChild,
    /** The deadline given to `add()`, or undefined for the child's own default. */
    readonly shutdownTimeoutMs: number | undefined,
  ) {}

  get name(): string {
    return this.child.name;
  }

  /** Whether a sibling's strategy restart takes this child along. */
  get live(): boolean {
    const { kind } = this.state;
    return kind === 'running' || kind === 'failed' || kind === 'restarting';
  }

  /** Whether strategy restart number `restart` still owns this child. */
  isTakenBy(restart: number): boolean {
    return !this.removed && this.state.kind === 'restarting' && this.state.restart === restart;
  }

  /** Counts an exit that calls for a restart, starting the count over after a long run. */
  countExit(now: number, resetAfterMs: number): void {
    if (this.startedAt !== undefined && now - this.startedAt >= resetAfterMs) this.failures = 0;
    this.failures += 1;
  }

  /** Forgets the previous run's counts and state, at the start of a new run of the supervisor. */
  resetForRun(): void {
    this.state = { kind: 'idle' };
    this.failures = 0;
  }

  /** A snapshot for `Supervisor.status()`. */
  status(): ChildStatus {
    const own = ownStatus(this.child);
    return {
      name: this.child.name,
      path: this.child.path,
      restart: this.child.restart,
      state: publicState(this.state),
      restarts: this.restarts,
      failures: this.failures,
      ...(this.lastFailure === undefined ? {} : { lastFailure: this.lastFailure }),
      ...(own === undefined ? {} : { status: own }),
    };
  }
}

/** Whether a child's restart policy asks for a restart after `exit`. */
export function wantsRestart(policy: RestartPolicy, exit: ChildExit): boolean {
  return policy === 'always' || (policy === 'on-failure' && exit.kind === 'failed');
}

/** Reads an exit reported by a child, making sure a failure carries an `Error`. */
export function normalizeExit(exit: ChildExit): ChildExit {
  return exit.kind === 'failed'
    ? { kind: 'failed', error: toError(exit.error) }
    : { kind: 'completed' };
}

function publicState(state: ChildRecordState): ChildState {
  switch (state.kind) {
    case 'failed':
      return state.exit.kind === 'failed'
        ? { kind: 'restarting', failure: { error: state.exit.error, at: state.at } }
        : { kind: 'restarting' };
    case 'restarting':
      return {
        kind: 'restarting',
        ...(state.restartAt === undefined ? {} : { restartAt: state.restartAt }),
        ...(state.failure === undefined ? {} : { failure: state.failure }),
      };
    case 'stopping':
      return { kind: 'stopping' };
    default:
      return state;
  }
}

/** The child's own snapshot, when it offers one; a `status()` that throws is left out. */
function ownStatus(child: SupervisedChild): GroupStatus | SupervisorStatus | undefined {
  const status = (child as { status?: unknown }).status;
  if (typeof status !== 'function') return undefined;
  try {
    return status.call(child) as GroupStatus | SupervisorStatus;
  } catch {
    return undefined;
  }
}
