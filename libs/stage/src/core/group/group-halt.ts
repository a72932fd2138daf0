import type { StopReport } from './stop-report.js';
import type { TaskRun } from './task-run.js';
import type { TaskSlot } from './task-slot.js';

/**
 * The stop of one run of a group, by `stop()` (or the parent signal) or by giving up: the slots
 * whose runs it waits for, its deadline and its promise. Internal to the group.
 *
 * Its lifecycle: waiting (deadline armed) until {@link conclude} computes the report, then
 * {@link resolve} hands it to every `stop()` caller.
 */
export class GroupHalt {
  /** Why the group halts; a give-up becomes a stop when `stop()` takes it over. */
  reason: 'stop' | 'give-up';
  /** Resolves with the report; every `stop()` during the halt returns this same promise. */
  readonly promise: Promise<StopReport>;
  /** The slots whose run was in progress when the halt began; a slot's `run` is cleared on settle. */
  readonly #waiting: readonly TaskSlot[];
  readonly #resolve: (report: StopReport) => void;
  /** The deadline, once armed; cleared by {@link conclude}. */
  #timer: NodeJS.Timeout | undefined = undefined;
  /** When the armed deadline falls, on the monotonic clock. */
  #deadline = Number.POSITIVE_INFINITY;

  constructor(reason: GroupHalt['reason'], waiting: readonly TaskSlot[]) {
    this.reason = reason;
    this.#waiting = waiting;
    let resolve!: (report: StopReport) => void;
    this.promise = new Promise<StopReport>((settle) => {
      resolve = settle;
    });
    this.#resolve = resolve;
  }

  /** Requests the stop of every run the halt waits for (user hooks may run, synchronously). */
  requestStops(): void {
    for (const slot of this.#waiting) slot.run?.requestStop();
  }

  /** Arms the deadline: `onDeadline(this)` runs after `timeoutMs` unless concluded first. */
  arm(timeoutMs: number, onDeadline: (halt: GroupHalt) => void): void {
    this.#deadline = performance.now() + timeoutMs;
    this.#timer = setTimeout(onDeadline, timeoutMs, this);
  }

  /**
   * Brings the armed deadline forward to `timeoutMs` from now, if that is sooner; a later one
   * changes nothing, so that every caller waits at most what it asked for. Does nothing once
   * concluded, or when no deadline was armed (nothing to wait for).
   */
  shorten(timeoutMs: number, onDeadline: (halt: GroupHalt) => void): void {
    if (this.#timer === undefined || performance.now() + timeoutMs >= this.#deadline) return;
    clearTimeout(this.#timer);
    this.arm(timeoutMs, onDeadline);
  }

  /**
   * Ends the wait: clears the deadline and abandons the runs still in progress (their slots
   * forget them). Returns the report and the abandoned runs, which the group settles as stopped,
   * so that what they held (a channel's messages) is given back instead of waiting on a promise
   * that may never settle; their late settlement then changes nothing.
   */
  conclude(): { readonly report: StopReport; readonly abandonedRuns: readonly TaskRun[] } {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;

    const abandoned: { index: number; attempt: number }[] = [];
    const abandonedRuns: TaskRun[] = [];
    for (const slot of this.#waiting) {
      const run = slot.run;
      if (run === undefined) continue;
      slot.run = undefined;
      abandoned.push({ index: run.index, attempt: run.attempt });
      abandonedRuns.push(run);
    }
    const report = Object.freeze({
      settled: this.#waiting.length - abandoned.length,
      abandoned: Object.freeze(abandoned),
      clean: abandoned.length === 0,
    });
    return { report, abandonedRuns };
  }

  resolve(report: StopReport): void {
    this.#resolve(report);
  }
}
