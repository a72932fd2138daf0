import type { TaskContext, TaskFn, TaskOutcome } from './task-context.js';

/** How a run that ran directly ended by itself: a stop is the group's to decide, not the task's. */
export type DirectRunEnding = Exclude<TaskOutcome, { readonly kind: 'stopped' }>;

/** Where a task that runs directly reports how its run ended. Internal. */
export interface DirectRunEnd {
  /**
   * The run has ended: `completed` or `failed`. Called once; a call after the run has settled
   * otherwise (stopped and abandoned by its group, say) does nothing.
   */
  runEnded(ending: DirectRunEnding): void;
}

/**
 * Starts one run of a task without a promise: the task reports its end through `end`. It must
 * not call `end` synchronously, nor run user code synchronously, inside the call.
 */
export type DirectTaskStart = (ctx: TaskContext, end: DirectRunEnd) => void;

/** Where a task function keeps its direct entry. */
const DIRECT_START = Symbol('stage.directStart');

interface DirectCarrier {
  [DIRECT_START]?: DirectTaskStart;
}

/**
 * A task that Stage's own primitives run without an async frame or a promise per run (handler
 * mode does), so that an idle task costs only its bookkeeping. Internal.
 *
 * The returned function is an ordinary {@link TaskFn} for any other caller: its promise resolves
 * when the run completes and rejects with the error when it fails. A `TaskGroup` given the
 * function itself finds the direct entry (see {@link directStartOf}) and skips the promise; a
 * group given a wrapper of it uses the promise, with the same outcomes.
 */
export function directTask(start: DirectTaskStart): TaskFn {
  const task = (ctx: TaskContext): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      start(ctx, {
        runEnded: (ending) => (ending.kind === 'failed' ? reject(ending.error) : resolve()),
      });
    });
  (task as DirectCarrier)[DIRECT_START] = start;
  return task;
}

/** The direct entry of a task made by {@link directTask}, if `task` is one. */
export function directStartOf(task: TaskFn): DirectTaskStart | undefined {
  return (task as DirectCarrier)[DIRECT_START];
}
