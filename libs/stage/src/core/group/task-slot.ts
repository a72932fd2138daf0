import type { TaskRun } from './task-run.js';

/**
 * Where a slot is in the current run of its group:
 *
 * - `launching`: a launch is scheduled (the first one, or a restart after its backoff);
 * - `running`: its task's run is in progress;
 * - `deciding`: its run just settled and the group is deciding what follows;
 * - `ended`: its last run ended and nothing will restart it (restart policy);
 * - `retiring`: removed by a shrink while its run is still in progress;
 * - `retired`: gone for good (shrunk, or its group's run halted); any timer still holding it
 *   must do nothing.
 */
export type SlotPhase = 'launching' | 'running' | 'deciding' | 'ended' | 'retiring' | 'retired';

/**
 * One slot of one run of a group: the task index, its restart bookkeeping and its pending timer.
 * Internal to the group. A new run of the group builds new slots, so a timer armed for an old
 * slot can only ever see a `retired` slot.
 */
export class TaskSlot {
  phase: SlotPhase = 'launching';
  /**
   * The run in progress, while `running` or `retiring` (or retired by a halt that still waits for
   * it). Cleared when the run settles or is abandoned: the group tracks a run only through this.
   */
  run: TaskRun | undefined = undefined;
  /** The pending launch, while `launching`; cleared when the slot is retired. */
  timer: NodeJS.Timeout | NodeJS.Immediate | undefined = undefined;
  /** Whether `timer` came from `setImmediate` (a zero wait) rather than `setTimeout`. */
  timerIsImmediate = false;
  /** The attempt number of the latest run; 0 before the first. */
  attempt = 0;
  /** Consecutive failures, reset by a completion or a run that lasted `resetAfterMs`. */
  failures = 0;
  /** When the latest run started, on the monotonic clock (`performance.now()`). */
  startedAt = 0;

  constructor(readonly index: number) {}

  /**
   * Removes the slot by a shrink. A running slot keeps its run until the run settles
   * (`retiring`); any other is gone (`retired`), its pending launch cancelled. Returns whether the
   * slot was live: launching, running or deciding, so that it would have run again.
   */
  shrink(): boolean {
    switch (this.phase) {
      case 'running':
        this.phase = 'retiring';
        return true;
      case 'launching':
        this.clearTimer();
        this.phase = 'retired';
        return true;
      case 'deciding':
        this.phase = 'retired';
        return true;
      case 'ended':
        this.phase = 'retired';
        return false;
      default:
        return false;
    }
  }

  /** Cancels the pending launch, if any. */
  clearTimer(): void {
    const timer = this.timer;
    if (timer === undefined) return;
    this.timer = undefined;
    if (this.timerIsImmediate) clearImmediate(timer as NodeJS.Immediate);
    else clearTimeout(timer as NodeJS.Timeout);
  }
}
