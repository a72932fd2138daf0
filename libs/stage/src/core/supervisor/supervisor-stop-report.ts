import type { StopReport } from '../group/stop-report.js';

/** A task that was still running when the deadline of its group's stop passed. */
export interface AbandonedTask {
  /** The path of the task's group, from the root down. */
  readonly path: readonly string[];
  /** The task's slot in its group. */
  readonly index: number;
  /** The run of that slot that was abandoned. */
  readonly attempt: number;
}

/** Fields every {@link ChildStopReport} carries. */
interface ChildStopBase {
  readonly name: string;
  readonly path: readonly string[];
}

/**
 * How stopping one child went.
 *
 * - `stopped`: the child's `stop()` resolved in time with its own report, which may still list
 *   abandoned tasks.
 * - `timed-out`: the child's `stop()` had not resolved by its deadline plus a short grace; the
 *   supervisor stopped waiting and went on with the next child. The child is abandoned as a whole.
 * - `failed`: the child's `stop()` threw or rejected, which breaks the child contract.
 */
export type ChildStopReport =
  | (ChildStopBase & { readonly kind: 'stopped'; readonly report: StopReport })
  | (ChildStopBase & { readonly kind: 'timed-out'; readonly timeoutMs: number })
  | (ChildStopBase & { readonly kind: 'failed'; readonly error: Error });

/**
 * What stopping a supervisor achieved. A {@link StopReport} (so a supervisor can be the child of
 * another), summed over its subtree, plus the report of each child.
 *
 * - `settled`: the tasks that settled in time, over the whole subtree.
 * - `abandoned`: the tasks abandoned anywhere in the subtree, each with its group's path.
 * - `clean`: whether every child stopped in time with a clean report.
 * - `children`: each child's outcome, in the order they were stopped (reverse start order).
 *   Children that were never started in the run are not listed.
 */
export interface SupervisorStopReport extends StopReport {
  readonly abandoned: readonly AbandonedTask[];
  readonly children: readonly ChildStopReport[];
}

/** Whether `report` came from a supervisor (and so lists its children). */
export function isSupervisorStopReport(report: StopReport): report is SupervisorStopReport {
  return Array.isArray((report as Partial<SupervisorStopReport>).children);
}

/** Sums the reports of stopped children, given in stop order, into one supervisor report. */
export function summarizeChildStops(children: readonly ChildStopReport[]): SupervisorStopReport {
  let settled = 0;
  let clean = true;
  const abandoned: AbandonedTask[] = [];

  for (const child of children) {
    if (child.kind !== 'stopped') {
      clean = false;
      continue;
    }
    const { report } = child;
    settled += report.settled;
    clean &&= report.clean;
    if (isSupervisorStopReport(report)) {
      abandoned.push(...report.abandoned);
    } else {
      for (const task of report.abandoned) {
        abandoned.push({ path: child.path, index: task.index, attempt: task.attempt });
      }
    }
  }

  return { settled, abandoned, clean, children };
}
