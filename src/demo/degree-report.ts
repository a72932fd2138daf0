import type { Degree } from './degree.js';
import type { DegreeCounters } from './degree-counters.js';
import type { LoadResult } from './load-result.js';

/** Everything the demo learned about one degree: the client's view and the application's. */
export interface DegreeReport {
  readonly degree: Degree;
  readonly load: LoadResult;
  readonly counters: DegreeCounters;
  /** Requests sent that were never answered with the right sum. */
  readonly lost: number;
}

/** Puts together the report of one degree. */
export function degreeReport(
  degree: Degree,
  load: LoadResult,
  counters: DegreeCounters,
): DegreeReport {
  return { degree, load, counters, lost: load.sent - load.correct };
}
