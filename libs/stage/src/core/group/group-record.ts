import type { GroupStatus } from './group-status.js';
import type { TaskRun } from './task-run.js';

/**
 * What a group remembers of how its runs ended: the counters `status()` reports over every run
 * (restarts, failures, the latest failure), and what the end of the current run reports (its
 * latest failure, and whether a slot that ended for good failed). Written by the group's slots as runs
 * settle and restart; read by the group. Internal to the group.
 *
 * Cancellation and restart change nothing here but the counters: a stopped run is not a failure,
 * and a restart counts once, when it is scheduled. Nothing here fails.
 */
export class GroupRecord {
  /** Restarts scheduled since the group was built; only grows. */
  restarts = 0;
  /** Failed runs since the group was built; only grows. */
  failures = 0;
  /** The latest failure of the current run: the cause of a give-up or of a failed exit. */
  runFailure: Error | undefined = undefined;
  /** Whether a slot of the current run ended for good (under `never`) with a failure. */
  endedWithFailure = false;
  /** The run that failed last, kept so that `status()` builds `lastFailure` only when asked. */
  #lastFailed: TaskRun | undefined = undefined;
  /** When `#lastFailed` failed, in ms since the epoch. */
  #lastFailedAt = 0;

  /** A new run of the group begins: nothing of the previous run's end is reported any more. */
  beginRun(): void {
    this.runFailure = undefined;
    this.endedWithFailure = false;
  }

  /** `run` failed with `error`. */
  failed(run: TaskRun, error: Error): void {
    this.failures++;
    this.runFailure = error;
    this.#lastFailed = run;
    this.#lastFailedAt = Date.now();
  }

  /** The failure the run's end reports when it ends by itself, or `undefined` for a completion. */
  get exitFailure(): Error | undefined {
    return this.endedWithFailure ? this.runFailure : undefined;
  }

  /** The latest failure, as `status()` reports it, or `undefined` when no run has failed. */
  lastFailure(): GroupStatus['lastFailure'] {
    const failed = this.#lastFailed;
    const outcome = failed?.outcome;
    if (failed === undefined || outcome?.kind !== 'failed') return undefined;
    const { index, attempt } = failed;
    return { error: outcome.error, index, attempt, at: this.#lastFailedAt };
  }
}
