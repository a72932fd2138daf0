import type { RestartPolicy } from '../group/restart-policy.js';
import type { StopOptions, StopReport } from '../group/stop-report.js';

/** How a child ended on its own (not because its parent stopped it). */
export type ChildExit =
  { readonly kind: 'completed' } | { readonly kind: 'failed'; readonly error: Error };

/** What a child reports to. Set by the supervisor that owns the child. */
export interface ChildParent {
  /** The parent's path from the root, ending with the parent's own name. */
  readonly path: readonly string[];
  /** Called once per run of the child when it exits on its own: it gave up, or all its work ended. */
  childExited(child: SupervisedChild, exit: ChildExit): void;
}

/**
 * Anything a supervisor can own: a task group, another supervisor and, later, an actor.
 *
 * Contract: `start()` after `stop()` begins a new run; `stop()` never rejects and is idempotent;
 * a child never calls `childExited` for an exit caused by `stop()`.
 */
export interface SupervisedChild {
  readonly name: string;
  /** Whether the supervisor restarts this child when it exits, with the group's meanings. */
  readonly restart: RestartPolicy;
  /** The child's path: its parent's path plus its own name. */
  readonly path: readonly string[];
  /** Starts a new run. Never runs user code synchronously. */
  start(): void;
  /** Stops the run, waiting up to the deadline; reports what did not settle. */
  stop(options?: StopOptions): Promise<StopReport>;
  /** Attaches the child to its parent, or detaches it with `undefined`. */
  setParent(parent: ChildParent | undefined): void;
}
