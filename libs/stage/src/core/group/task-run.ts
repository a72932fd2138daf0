import type { DirectRunEnd, DirectRunEnding } from './direct-task.js';
import type { TaskContext, TaskOutcome } from './task-context.js';
import {
  attachTaskRunHooksToPrototype,
  type TaskRunHooks,
  type TaskRunListener,
} from './task-run-hooks.js';

/** Reports a user callback that threw, naming the callback; never throws itself. */
export type HookFailureReporter = (hook: string, error: unknown) => void;

/** What the runs of one group report to it; one object, shared by every run of the group. */
export interface TaskRunOwner {
  /** A callback registered on a run threw; never throws itself. */
  reportHookFailure: HookFailureReporter;
  /**
   * A run that ran directly (see `directTask`) reports its end, with the `slot` it was made
   * for. Never throws: a defect is reported instead.
   */
  runEnded(slot: unknown, run: TaskRun, ending: DirectRunEnding): void;
}

/**
 * One run of one task: the context the task receives, and the internal hooks Stage's own
 * primitives register on it (see {@link TaskRunHooks}). Internal: users only see it as a
 * {@link TaskContext}.
 *
 * It is the single object a run costs besides the task's own promise: the `AbortController` is
 * made only if the task reads `signal`, and a list of listeners only once a second one registers.
 */
export class TaskRun implements TaskContext, TaskRunHooks, DirectRunEnd {
  readonly index: number;
  readonly attempt: number;
  readonly group: string;
  /** The group, as its runs see it: shared by every run of the group. */
  readonly #owner: TaskRunOwner;
  /** The group's slot this run was made for, handed back with a direct run's end. */
  readonly #slot: unknown;
  /**
   * Made on the first read of `signal`; aborted once the stop is requested or, at the latest,
   * once the run has settled, so that work the run left behind learns that it must stop.
   */
  #controller: AbortController | undefined = undefined;
  /** Becomes true once, when the stop is requested; never goes back. */
  #stopRequested = false;
  /**
   * Who hears of the stop request and the settlement, in registration order: nobody, one listener
   * (the common case: one channel's lease), or an array once there are several. Emptied when the
   * run settles; a listener registered afterwards hears of the outcome on a microtask instead.
   */
  #listeners: TaskRunListener | TaskRunListener[] | undefined = undefined;
  /** Set once, when the run settles. */
  #outcome: TaskOutcome | undefined = undefined;

  constructor(index: number, attempt: number, group: string, owner: TaskRunOwner, slot?: unknown) {
    this.index = index;
    this.attempt = attempt;
    this.group = group;
    this.#owner = owner;
    this.#slot = slot;
  }

  /**
   * A direct run's end (see `directTask`): handed to the group, which settles the run (stopped,
   * if its stop was requested) unless it has settled already.
   */
  runEnded(ending: DirectRunEnding): void {
    this.#owner.runEnded(this.#slot, this, ending);
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

  get settled(): boolean {
    return this.#outcome !== undefined;
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

    const listener = new StopCallback(callback);
    this.#add(listener);
    return () => this.#remove(listener);
  }

  onSettled(callback: (outcome: TaskOutcome) => void): void {
    const outcome = this.#outcome;
    if (outcome !== undefined) {
      queueMicrotask(() => this.#call('onSettled', callback, outcome));
      return;
    }
    this.#add(new SettledCallback(callback));
  }

  addListener(listener: TaskRunListener): void {
    const outcome = this.#outcome;
    if (outcome !== undefined) {
      queueMicrotask(() => this.#tellSettled(listener, outcome));
      return;
    }
    if (this.#stopRequested) queueMicrotask(() => this.#tellStopRequested(listener));
    this.#add(listener);
  }

  listenerFor(key: object): TaskRunListener | undefined {
    const listeners = this.#listeners;
    if (!Array.isArray(listeners)) return listeners?.key === key ? listeners : undefined;
    return listeners.find((listener) => listener.key === key);
  }

  /** Fires the signal (if one was made) and the stop callbacks, once. Called by the group. */
  requestStop(): void {
    if (this.#stopRequested) return;
    this.#stopRequested = true;
    this.#controller?.abort(this.#abortReason());

    // A copy: a listener may register or unregister others meanwhile; those registered now hear
    // of the stop on a microtask (see `addListener`).
    const listeners = this.#listeners;
    if (!Array.isArray(listeners)) {
      if (listeners !== undefined) this.#tellStopRequested(listeners);
      return;
    }
    for (const listener of listeners.slice()) this.#tellStopRequested(listener);
  }

  /**
   * Records the outcome and runs the settlement callbacks, once, then fires the signal (if one was
   * made and has not fired): the run is over, and work it left running (an unawaited call holding
   * the signal) must not run on beside the restarted task. Called by the group.
   */
  settle(outcome: TaskOutcome): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;

    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (Array.isArray(listeners)) {
      for (const listener of listeners) this.#tellSettled(listener, outcome);
    } else if (listeners !== undefined) {
      this.#tellSettled(listeners, outcome);
    }
    const controller = this.#controller;
    if (controller !== undefined && !controller.signal.aborted) {
      controller.abort(this.#abortReason());
    }
  }

  #add(listener: TaskRunListener): void {
    const listeners = this.#listeners;
    if (listeners === undefined) this.#listeners = listener;
    else if (Array.isArray(listeners)) listeners.push(listener);
    else this.#listeners = [listeners, listener];
  }

  #remove(listener: TaskRunListener): void {
    const listeners = this.#listeners;
    if (listeners === listener) this.#listeners = undefined;
    else if (Array.isArray(listeners)) {
      const at = listeners.indexOf(listener);
      if (at !== -1) listeners.splice(at, 1);
    }
  }

  #tellStopRequested(listener: TaskRunListener): void {
    try {
      listener.runStopRequested();
    } catch (error) {
      this.#owner.reportHookFailure('onStopRequested', error);
    }
  }

  #tellSettled(listener: TaskRunListener, outcome: TaskOutcome): void {
    try {
      listener.runSettled(outcome);
    } catch (error) {
      this.#owner.reportHookFailure('onSettled', error);
    }
  }

  #call(hook: string, callback: (outcome: TaskOutcome) => void, outcome?: TaskOutcome): void {
    try {
      callback(outcome!);
    } catch (error) {
      this.#owner.reportHookFailure(hook, error);
    }
  }

  #abortReason(): DOMException {
    const what = `Task ${this.index} (attempt ${this.attempt}) of group "${this.group}"`;
    const why = this.#stopRequested ? 'was asked to stop' : 'has ended';
    return new DOMException(`${what} ${why}.`, 'AbortError');
  }
}

attachTaskRunHooksToPrototype(TaskRun.prototype);

/** A callback given to `onStopRequested`, as a listener. */
class StopCallback implements TaskRunListener {
  constructor(readonly callback: () => void) {}

  runStopRequested(): void {
    this.callback();
  }

  runSettled(): void {
    // Only the stop request was asked for.
  }
}

/** A callback given to `onSettled`, as a listener. */
class SettledCallback implements TaskRunListener {
  constructor(readonly callback: (outcome: TaskOutcome) => void) {}

  runStopRequested(): void {
    // Only the outcome was asked for.
  }

  runSettled(outcome: TaskOutcome): void {
    this.callback(outcome);
  }
}
