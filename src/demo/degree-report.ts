import type { Degree } from './degree.js';
import type { DegreeCounters } from './degree-counters.js';
import type { LoadResult } from './load-result.js';

/** Everything the demo learned about one degree: the client's view and the application's. */
export interface DegreeReport {
  readonly degree: Degree;
  readonly load: LoadResult;
  readonly counters: DegreeCounters;
  /**
   * Requests sent that were never answered with the right sum, less (second degree) those the
   * channel dead-lettered after every delivery crashed: those were answered too, with a 500, and
   * the ledger reports them.
   */
  readonly lost: number;
}

/** Puts together the report of one degree. */
export function degreeReport(
  degree: Degree,
  load: LoadResult,
  counters: DegreeCounters,
): DegreeReport {
  const reported = counters.ledger?.deadLettered ?? 0;
  return { degree, load, counters, lost: Math.max(0, load.sent - load.correct - reported) };
}
