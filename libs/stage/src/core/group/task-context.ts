/**
 * What a running task receives: its stop signal and where it stands in its group.
 *
 * A context belongs to one run of one task. A restart gets a new context; the old one's signal
 * has fired by then, so work still holding it sees that it must stop.
 */
export interface TaskContext {
  /**
   * Fires when this run must stop: the group is stopping, is shrinking past this task's slot, or
   * has given up. A task should end soon after; when it does, it ends *stopped*, however it ends
   * (returning, throwing), and is not restarted.
   *
   * It also fires once the run has ended in any other way (completed, failed), before any
   * restart: work the run started and left running sees that it must stop. Its `reason` then says
   * the run "has ended" rather than "was asked to stop".
   *
   * Created on first access, so a task that never reads it costs no `AbortController`.
   */
  readonly signal: AbortSignal;
  /** The task's slot in its group, from 0 to `size - 1`. A restart keeps the slot. */
  readonly index: number;
  /** 1 on the slot's first run, then one more on each restart of that slot. */
  readonly attempt: number;
  /** The name of the group the task belongs to. */
  readonly group: string;
}

/**
 * A task: one run of an async function. It ends *completed* when its promise resolves, *failed*
 * when it throws (synchronously or not, any value), or *stopped* when it ends after its signal
 * fired.
 */
export type TaskFn = (ctx: TaskContext) => Promise<unknown> | unknown;

/** How one run of a task ended. */
export type TaskOutcome =
  | { readonly kind: 'completed' }
  | { readonly kind: 'failed'; readonly error: Error }
  | { readonly kind: 'stopped' };
