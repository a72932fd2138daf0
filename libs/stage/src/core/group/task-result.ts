import type { DirectRunEnding } from './direct-task.js';
import type { TaskRun } from './task-run.js';
import { toError } from '../errors/thrown-value-error.js';

/**
 * How what a task returns, or throws, becomes the end of its run. A group calls the task itself
 * and reads its result here: a value that is not a thenable completes the run at once, a throw
 * fails it, and a thenable ends it later through the two shared handlers below. Internal to the
 * group.
 *
 * The handlers are bound to the run (`runFulfilled.bind(run)`), which costs less than two
 * closures and their context (about 60 bytes per idle task) and far less than an async driver
 * frame. They hand the end to the run's owner, which settles a run once: a thenable that calls
 * both, or one twice, is harmless.
 */

/** The end of a run whose task returned, or whose promise resolved. */
export const COMPLETED: DirectRunEnding = Object.freeze({ kind: 'completed' });

/** The end of a run whose task threw, or whose promise rejected, with any value. */
export function failure(error: unknown): { readonly kind: 'failed'; readonly error: Error } {
  return { kind: 'failed', error: toError(error) };
}

/** Whether a task's result ends its run later: a promise, or any object with a `then` method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value instanceof Promise ||
    ((typeof value === 'object' || typeof value === 'function') &&
      value !== null &&
      typeof (value as { then?: unknown }).then === 'function')
  );
}

/** A run's promise resolved: bound to the run. */
export function runFulfilled(this: TaskRun): void {
  this.runEnded(COMPLETED);
}

/** A run's promise rejected: bound to the run. */
export function runRejected(this: TaskRun, error: unknown): void {
  this.runEnded(failure(error));
}
