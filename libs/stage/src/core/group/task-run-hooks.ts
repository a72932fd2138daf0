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

const hooksByContext = new WeakMap<TaskContext, TaskRunHooks>();

/** Attaches hooks to a context; called by the group when it creates a run. */
export function attachTaskRunHooks(ctx: TaskContext, hooks: TaskRunHooks): void {
  hooksByContext.set(ctx, hooks);
}

/** The hooks of a context made by a group, or `undefined` for a context made elsewhere. */
export function taskRunHooks(ctx: TaskContext): TaskRunHooks | undefined {
  return hooksByContext.get(ctx);
}
