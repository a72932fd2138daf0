import type { ChannelStats } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { incoherences } from './coherence.js';
import type { DegreeCounters } from './degree-counters.js';
import { degreeReport } from './degree-report.js';
import type { LoadResult } from './load-result.js';

const LOAD: LoadResult = {
  sent: 100,
  correct: 100,
  wrongSums: 0,
  non2xx: 0,
  timeouts: 0,
  connectionErrors: 0,
  cutOff: 0,
  latency: { p50: 1, p99: 5 },
  seconds: 1,
};

/**
 * A settled ledger: 100 messages accepted and handled, 3 of them after a redelivery. Only the
 * counters the demo reads are set.
 */
const LEDGER = {
  accepted: 100,
  handled: 100,
  deadLettered: 0,
  dropped: 0,
  withdrawn: 0,
  stored: 0,
  buffered: 0,
  inFlight: 0,
  delayed: 0,
  redeliveries: 3,
  replayed: 0,
} satisfies Partial<ChannelStats> as ChannelStats;

const FIRST: DegreeCounters = { crashes: 3, restarts: 3, handlerRetries: 3, ledger: undefined };
const SECOND: DegreeCounters = { crashes: 3, restarts: 0, handlerRetries: 0, ledger: LEDGER };

describe('incoherences', () => {
  it('finds nothing wrong with a healed first degree', () => {
    expect(incoherences(degreeReport(1, LOAD, FIRST))).toEqual([]);
  });

  it('finds nothing wrong with a second degree whose group never restarted', () => {
    expect(incoherences(degreeReport(2, LOAD, SECOND))).toEqual([]);
  });

  it('accepts second-degree requests dead-lettered after every delivery crashed: answered, reported', () => {
    const load = { ...LOAD, correct: 98, non2xx: 2 };
    const ledger = { ...LEDGER, handled: 98, deadLettered: 2 };

    expect(incoherences(degreeReport(2, load, { ...SECOND, ledger }))).toEqual([]);
  });

  it('reports lost requests with their causes', () => {
    const load = { ...LOAD, correct: 95, non2xx: 2, timeouts: 1, wrongSums: 1, cutOff: 1 };

    expect(incoherences(degreeReport(1, load, FIRST))).toEqual([
      'degree 1: 5 of 100 requests were never answered with the right sum ' +
        '(2 non-2xx, 1 timed out, 1 wrong sums, 1 cut off at the end).',
    ]);
  });

  it('reports a run without crashes, or without requests', () => {
    expect(incoherences(degreeReport(1, { ...LOAD, sent: 0, correct: 0 }, FIRST))).toEqual([
      'degree 1: no request was sent.',
    ]);
    expect(incoherences(degreeReport(2, LOAD, { ...SECOND, crashes: 0 }))).toEqual([
      'degree 2: no crash was injected; raise --crash-rate or --duration.',
    ]);
  });

  it('reports a first degree whose group never restarted', () => {
    expect(incoherences(degreeReport(1, LOAD, { ...FIRST, restarts: 0 }))).toEqual([
      'degree 1: 3 crashes but the group never restarted.',
    ]);
  });

  it('reports a second degree that needed retries or redelivered nothing', () => {
    const counters = { ...SECOND, handlerRetries: 2, ledger: { ...LEDGER, redeliveries: 0 } };

    expect(incoherences(degreeReport(2, LOAD, counters))).toEqual([
      'degree 2: the handler retried 2 times; expected 0.',
      'degree 2: 3 crashes but no delivery was repeated.',
    ]);
  });

  it('reports a second degree whose ledger is not settled, with where the messages went', () => {
    const ledger = {
      ...LEDGER,
      handled: 95,
      deadLettered: 1,
      withdrawn: 2,
      dropped: 0,
      delayed: 2,
    };

    expect(incoherences(degreeReport(2, LOAD, { ...SECOND, ledger }))).toEqual([
      'degree 2: the channel handled 95 of the 100 messages it accepted (dead-lettered 1, ' +
        'withdrawn 2, dropped 0, still pending 2).',
    ]);
  });

  it('reports a second degree without a ledger', () => {
    expect(incoherences(degreeReport(2, LOAD, { ...SECOND, ledger: undefined }))).toContain(
      'degree 2: 3 crashes but no delivery was repeated.',
    );
  });
});
