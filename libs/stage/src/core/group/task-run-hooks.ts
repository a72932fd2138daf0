import type { TaskContext, TaskOutcome } from './task-context.js';

/**
 * Internal hooks into one run of a task, for Stage's own primitives (channels) that must learn
 * when the run is asked to stop and how it ended. Not part of the public API.
 *
 * Invariants the group guarantees:
 * - `onStopRequested` callbacks run at most once, synchronously, when the run's stop is
 *   requested (the moment its signal would fire), without creating an `AbortController`; one
 *   registered after the stop was requested runs on the next microtask.
 * - `onSettled` callbacks run exactly once, synchronously, when the run's outcome is known and
 *   before the group emits the matching event or decides about a restart.
 * - `settled` becomes true at that same moment, before those callbacks run, and never goes back:
 *   a primitive given the context of a run that has already ended can tell, and take nothing for
 *   it (an `onSettled` registered then would only run on the next microtask).
 * - Callbacks that throw are reported as hook failures and never change the run's outcome.
 */
export interface TaskRunHooks {
  /** Whether the run has been asked to stop. */
  readonly stopRequested: boolean;
  /** Whether the run has ended (its outcome is known). */
  readonly settled: boolean;
  /** Registers `callback` for the run's stop request; returns a function that unregisters it. */
  onStopRequested(callback: () => void): () => void;
  /** Registers `callback` for the run's outcome. */
  onSettled(callback: (outcome: TaskOutcome) => void): void;
  /**
   * Registers `listener` for both the stop request and the outcome, with the same guarantees as
   * the two callbacks: one object per primitive and run instead of two closures and two arrays.
   * Optional for hooks made elsewhere; call it through {@link listenToRun}.
   */
  addListener?(listener: TaskRunListener): void;
  /**
   * The listener registered with `key` (see {@link TaskRunListener.key}), if any, so that a
   * primitive finds its per-run state without a side table. Optional, like `addListener`.
   */
  listenerFor?(key: object): TaskRunListener | undefined;
}

/**
 * What a Stage primitive hears of one run, as one object. A throw from either method is reported
 * as a hook failure (`onStopRequested`, `onSettled`), like a throwing callback.
 */
export interface TaskRunListener {
  /** What {@link TaskRunHooks.listenerFor} finds this listener by, if anything. */
  readonly key?: object;
  /** The run has been asked to stop (its `onStopRequested` moment). */
  runStopRequested(): void;
  /** The run has settled with `outcome` (its `onSettled` moment). */
  runSettled(outcome: TaskOutcome): void;
}

/** Where a group's own contexts carry their hooks: a property lookup, cheaper than a WeakMap. */
const HOOKS = Symbol('stage.taskRunHooks');

/** A context carrying its hooks under {@link HOOKS}. */
interface HooksCarrier {
  [HOOKS]?: TaskRunHooks;
}

/** Hooks of contexts that cannot carry a property (frozen or sealed objects made elsewhere). */
const hooksByContext = new WeakMap<TaskContext, TaskRunHooks>();

/** Attaches hooks to a context; called by the group when it creates a run. */
export function attachTaskRunHooks(ctx: TaskContext, hooks: TaskRunHooks): void {
  if (Object.isExtensible(ctx)) (ctx as HooksCarrier)[HOOKS] = hooks;
  else hooksByContext.set(ctx, hooks);
}

/**
 * Makes every instance of a class that is its own context and hooks findable by
 * {@link taskRunHooks}, at no cost per instance (a getter on the prototype).
 */
export function attachTaskRunHooksToPrototype(prototype: TaskContext & TaskRunHooks): void {
  Object.defineProperty(prototype, HOOKS, {
    get(this: TaskRunHooks) {
      return this;
    },
  });
}

/** The hooks of a context made by a group, or `undefined` for a context made elsewhere. */
export function taskRunHooks(ctx: TaskContext): TaskRunHooks | undefined {
  return (ctx as HooksCarrier)[HOOKS] ?? hooksByContext.get(ctx);
}

/**
 * Registers `listener` on `hooks`: as one listener when the hooks support it (a group's own runs),
 * otherwise as two callbacks.
 */
export function listenToRun(hooks: TaskRunHooks, listener: TaskRunListener): void {
  if (hooks.addListener !== undefined) {
    hooks.addListener(listener);
    return;
  }
  hooks.onStopRequested(() => listener.runStopRequested());
  hooks.onSettled((outcome) => listener.runSettled(outcome));
}
