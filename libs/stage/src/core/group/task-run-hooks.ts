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
 * - Callbacks that throw are reported as hook failures and never change the run's outcome.
 */
export interface TaskRunHooks {
  /** Whether the run has been asked to stop. */
  readonly stopRequested: boolean;
  /** Registers `callback` for the run's stop request; returns a function that unregisters it. */
  onStopRequested(callback: () => void): () => void;
  /** Registers `callback` for the run's outcome. */
  onSettled(callback: (outcome: TaskOutcome) => void): void;
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
