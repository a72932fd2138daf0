/** What a stop achieved within its deadline. */
export interface StopReport {
  /** Tasks that settled before the deadline. */
  readonly settled: number;
  /**
   * Tasks still running at the deadline, by slot and attempt. A promise cannot be cancelled: such
   * a task keeps running in the background, but the group no longer waits for it nor restarts it.
   */
  readonly abandoned: readonly { readonly index: number; readonly attempt: number }[];
  /** Whether every task settled in time. */
  readonly clean: boolean;
}

/** Options of a stop. */
export interface StopOptions {
  /** How long to wait for tasks to settle; default: the group's `shutdownTimeoutMs`. */
  readonly timeoutMs?: number;
}
