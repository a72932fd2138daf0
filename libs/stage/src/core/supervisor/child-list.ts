import type { SupervisedChild } from './child.js';
import type { ChildRecord } from './child-record.js';
import type { OwnedTimers } from './owned-timers.js';
import { stopWithDeadline, withinDeadline } from './stop-with-deadline.js';
import {
  summarizeChildStops,
  type ChildStopReport,
  type SupervisorStopReport,
} from './supervisor-stop-report.js';

/**
 * A supervisor's children in start order, and how they are stopped. Internal: the supervisor
 * decides when; the list keeps the order, the unique names and the stop bookkeeping.
 */
export class ChildList {
  /** In start order, names unique. A record taken out leaves at once and is marked `removed`. */
  readonly #records: ChildRecord[] = [];
  /** Where stop deadlines are armed; the supervisor cancels what is left when its stop ends. */
  readonly #deadlines: OwnedTimers;

  constructor(deadlines: OwnedTimers) {
    this.#deadlines = deadlines;
  }

  /** The children's names, in start order. */
  get names(): string[] {
    return this.#records.map((record) => record.name);
  }

  /** The records in start order, copied: safe to iterate while the list changes. */
  snapshot(): ChildRecord[] {
    return [...this.#records];
  }

  /** The record named `name`, if any. */
  named(name: string): ChildRecord | undefined {
    return this.#records.find((record) => record.name === name);
  }

  /** The record of `child`, if it is in the list. */
  of(child: SupervisedChild): ChildRecord | undefined {
    return this.#records.find((record) => record.child === child);
  }

  /** Appends `record`; the caller has checked that its name is free. */
  push(record: ChildRecord): void {
    this.#records.push(record);
  }

  /** Takes `record` out of the list for good. */
  take(record: ChildRecord): void {
    const index = this.#records.indexOf(record);
    if (index >= 0) this.#records.splice(index, 1);
    record.removed = true;
  }

  /**
   * Stops one child within `timeoutMs` (default: the deadline it was added with), marking its
   * record `stopping`, then `stopped`. A child never started in this run is reported stopped at
   * once. A child already stopping (a `stopChild()`, a removal or a give-up under way) shares that
   * stop, held to `timeoutMs` all the same: past it, it is reported `timed-out` while that stop
   * goes on. Never rejects.
   */
  stop(record: ChildRecord, timeoutMs = record.shutdownTimeoutMs): Promise<ChildStopReport> {
    const { state } = record;
    if (state.kind === 'idle') return Promise.resolve(notStartedReport(record));
    if (state.kind === 'stopping') {
      if (timeoutMs === undefined) return state.done;
      return withinDeadline(record.child, state.done, timeoutMs, this.#deadlines);
    }

    const done = stopWithDeadline(record.child, timeoutMs, this.#deadlines).then((report) => {
      if (record.state.kind === 'stopping' && record.state.done === done) {
        record.state = { kind: 'stopped' };
      }
      return report;
    });
    record.state = { kind: 'stopping', done };
    return done;
  }

  /** Stops a child that a strategy restart owns, leaving its record's state to the restart. */
  stopForRestart(record: ChildRecord): Promise<ChildStopReport> {
    return stopWithDeadline(record.child, record.shutdownTimeoutMs, this.#deadlines);
  }

  /**
   * Stops every child started in this run, in reverse start order, one after the other, while
   * `isCurrent()` holds. With a `deadline` (on the monotonic clock, `performance.now()`), each
   * child gets the smaller of its own deadline and what is left until then.
   */
  async stopAll(
    deadline: number | undefined,
    isCurrent: () => boolean,
  ): Promise<SupervisorStopReport> {
    const reports: ChildStopReport[] = [];
    for (const record of this.snapshot().reverse()) {
      if (!isCurrent()) break;
      if (record.removed || record.state.kind === 'idle') continue;
      reports.push(await this.stop(record, childDeadline(record.shutdownTimeoutMs, deadline)));
    }
    return summarizeChildStops(reports);
  }
}

/** The deadline of one child's stop: its own, capped by what is left of the stop's budget. */
function childDeadline(own: number | undefined, deadline: number | undefined): number | undefined {
  if (deadline === undefined) return own;
  const remaining = msUntil(deadline);
  return own === undefined ? remaining : Math.min(own, remaining);
}

/** The ms left until `deadline` on the monotonic clock (`performance.now()`); never negative. */
export function msUntil(deadline: number): number {
  return Math.max(0, deadline - performance.now());
}

function notStartedReport(record: ChildRecord): ChildStopReport {
  return {
    name: record.name,
    path: record.child.path,
    kind: 'stopped',
    report: { settled: 0, abandoned: [], clean: true },
  };
}
