import { MAX_TIMER_MS } from '../backoff/backoff.js';
import { describeValue } from '../errors/invalid-option-error.js';
import { toError } from '../errors/thrown-value-error.js';
import type { StopReport } from '../group/stop-report.js';
import type { SupervisedChild } from './child.js';
import type { OwnedTimers } from './owned-timers.js';
import type { ChildStopReport } from './supervisor-stop-report.js';

/**
 * How long past a child's deadline a supervisor still waits for the child's own report. A child
 * answers at its deadline at the latest; the grace lets that answer arrive, so that a child that
 * abandoned some tasks is reported with its tasks rather than as `timed-out`.
 */
export const STOP_REPORT_GRACE_MS = 100;

/**
 * Stops `child` and reports how it went. Never rejects. A `stop()` that resolves with something
 * other than a {@link StopReport} breaks the child contract and is reported `failed`, like one
 * that throws, so that a supervisor's own report and state stay sound.
 *
 * With `timeoutMs`, the child is asked to stop within it, and is reported `timed-out` when its
 * `stop()` has not resolved by then plus {@link STOP_REPORT_GRACE_MS}. Without it, the child
 * stops by its own default deadline (a group's `shutdownTimeoutMs`) and is trusted to keep it.
 * The deadline is armed on `timers`, so cancelling them ends the wait early (reported
 * `timed-out`).
 */
export async function stopWithDeadline(
  child: SupervisedChild,
  timeoutMs: number | undefined,
  timers: OwnedTimers,
): Promise<ChildStopReport> {
  const base = { name: child.name, path: child.path };

  let stopping: Promise<StopReport>;
  try {
    stopping = Promise.resolve(child.stop(timeoutMs === undefined ? undefined : { timeoutMs }));
  } catch (error) {
    return { ...base, kind: 'failed', error: toError(error) };
  }
  const outcome = stopping.then(
    (report): ChildStopReport =>
      isStopReport(report)
        ? { ...base, kind: 'stopped', report }
        : { ...base, kind: 'failed', error: notAStopReport(child.name, report) },
    (error: unknown): ChildStopReport => ({ ...base, kind: 'failed', error: toError(error) }),
  );
  return timeoutMs === undefined ? outcome : withinDeadline(child, outcome, timeoutMs, timers);
}

/**
 * `stopping`, the report of a stop of `child` already under way, or a `timed-out` report once
 * `timeoutMs` plus {@link STOP_REPORT_GRACE_MS} have passed first: how a stop begun with a longer
 * deadline (or none) is held to a shorter one. The deadline is armed on `timers`; cancelling them
 * ends the wait early (reported `timed-out`). Never rejects.
 */
export async function withinDeadline(
  child: SupervisedChild,
  stopping: Promise<ChildStopReport>,
  timeoutMs: number,
  timers: OwnedTimers,
): Promise<ChildStopReport> {
  const deadline = timers.wait(Math.min(timeoutMs + STOP_REPORT_GRACE_MS, MAX_TIMER_MS));
  const timedOut = deadline.done.then((): ChildStopReport => ({
    name: child.name,
    path: child.path,
    kind: 'timed-out',
    timeoutMs,
  }));
  try {
    return await Promise.race([stopping, timedOut]);
  } finally {
    deadline.cancel();
  }
}

/** Whether `value` has the shape of a {@link StopReport}. */
function isStopReport(value: unknown): value is StopReport {
  if (typeof value !== 'object' || value === null) return false;
  const report = value as Partial<Record<keyof StopReport, unknown>>;
  return (
    typeof report.settled === 'number' &&
    Array.isArray(report.abandoned) &&
    typeof report.clean === 'boolean'
  );
}

function notAStopReport(name: string, value: unknown): TypeError {
  return new TypeError(
    `Child "${name}" resolved stop() with ${describeValue(value)} instead of a stop report ` +
      '({ settled, abandoned, clean }). A supervised child must resolve stop() with its report.',
  );
}
