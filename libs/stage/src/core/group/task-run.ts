import type { TaskContext, TaskOutcome } from './task-context.js';
import { attachTaskRunHooksToPrototype, type TaskRunHooks } from './task-run-hooks.js';

/** Reports a user callback that threw, naming the callback; never throws itself. */
export type HookFailureReporter = (hook: string, error: unknown) => void;

/**
 * One run of one task: the context the task receives, and the internal hooks Stage's own
 * primitives register on it (see {@link TaskRunHooks}). Internal: users only see it as a
 * {@link TaskContext}.
 *
 * It is the single object a run costs besides the task's own promise: the `AbortController` is
 * made only if the task reads `signal`, and the callback lists only if a hook is registered.
 */
export class TaskRun implements TaskContext, TaskRunHooks {
  readonly index: number;
  readonly attempt: number;
  readonly group: string;
  /** Reports throwing callbacks to the group; shared by every run of the group. */
  readonly #report: HookFailureReporter;
  /**
   * Made on the first read of `signal`; aborted once the stop is requested or, at the latest,
   * once the run has settled, so that work the run left behind learns that it must stop.
   */
  #controller: AbortController | undefined = undefined;
  /** Becomes true once, when the stop is requested; never goes back. */
  #stopRequested = false;
  /** Callbacks to run on the stop request; `undefined` once it happened or while none. */
  #stopCallbacks: (() => void)[] | undefined = undefined;
  /** Callbacks to run on settlement; `undefined` once settled or while none. */
  #settledCallbacks: ((outcome: TaskOutcome) => void)[] | undefined = undefined;
  /** Set once, when the run settles. */
  #outcome: TaskOutcome | undefined = undefined;

  constructor(index: number, attempt: number, group: string, report: HookFailureReporter) {
    this.index = index;
    this.attempt = attempt;
    this.group = group;
    this.#report = report;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#stopRequested || this.#outcome !== undefined) {
        this.#controller.abort(this.#abortReason());
      }
    }
    return this.#controller.signal;
  }

  get stopRequested(): boolean {
    return this.#stopRequested;
  }

  /** The run's outcome, once settled. */
  get outcome(): TaskOutcome | undefined {
    return this.#outcome;
  }

  onStopRequested(callback: () => void): () => void {
    if (this.#stopRequested) {
      let cancelled = false;
      queueMicrotask(() => {
        if (!cancelled) this.#call('onStopRequested', callback);
      });
      return () => {
        cancelled = true;
      };
    }

    (this.#stopCallbacks ??= []).push(callback);
    return () => {
      const callbacks = this.#stopCallbacks;
      const at = callbacks === undefined ? -1 : callbacks.indexOf(callback);
      if (at !== -1) callbacks!.splice(at, 1);
    };
  }

  onSettled(callback: (outcome: TaskOutcome) => void): void {
    const outcome = this.#outcome;
    if (outcome !== undefined) {
      queueMicrotask(() => this.#call('onSettled', callback, outcome));
      return;
    }
    (this.#settledCallbacks ??= []).push(callback);
  }

  /** Fires the signal (if one was made) and the stop callbacks, once. Called by the group. */
  requestStop(): void {
    if (this.#stopRequested) return;
    this.#stopRequested = true;
    this.#controller?.abort(this.#abortReason());

    const callbacks = this.#stopCallbacks;
    this.#stopCallbacks = undefined;
    if (callbacks === undefined) return;
    for (const callback of callbacks) this.#call('onStopRequested', callback);
  }

  /**
   * Records the outcome and runs the settlement callbacks, once, then fires the signal (if one was
   * made and has not fired): the run is over, and work it left running (an unawaited call holding
   * the signal) must not run on beside the restarted task. Called by the group.
   */
  settle(outcome: TaskOutcome): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;

    const callbacks = this.#settledCallbacks;
    this.#settledCallbacks = undefined;
    this.#stopCallbacks = undefined;
    if (callbacks !== undefined) {
      for (const callback of callbacks) this.#call('onSettled', callback, outcome);
    }
    const controller = this.#controller;
    if (controller !== undefined && !controller.signal.aborted) {
      controller.abort(this.#abortReason());
    }
  }

  #call(hook: string, callback: (outcome: TaskOutcome) => void, outcome?: TaskOutcome): void {
    try {
      callback(outcome!);
    } catch (error) {
      this.#report(hook, error);
    }
  }

  #abortReason(): DOMException {
    const what = `Task ${this.index} (attempt ${this.attempt}) of group "${this.group}"`;
    const why = this.#stopRequested ? 'was asked to stop' : 'has ended';
    return new DOMException(`${what} ${why}.`, 'AbortError');
  }
}

attachTaskRunHooksToPrototype(TaskRun.prototype);
