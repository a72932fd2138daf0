import type { ChannelStats } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { degreeReport } from './degree-report.js';
import type { LoadResult } from './load-result.js';
import { summaryTable } from './summary-table.js';

describe('summaryTable', () => {
  it('puts one row per measure and one column per degree, with a dash where it does not apply', () => {
    const load: LoadResult = {
      sent: 10,
      correct: 9,
      wrongSums: 0,
      non2xx: 1,
      timeouts: 0,
      connectionErrors: 0,
      cutOff: 0,
      latency: { p50: 2, p99: 40 },
      seconds: 1,
    };
    const ledger = { accepted: 10, handled: 10, redeliveries: 3, deadLettered: 0 } as ChannelStats;

    const { header, rows } = summaryTable([
      degreeReport(1, load, { crashes: 4, restarts: 4, handlerRetries: 5, ledger: undefined }),
      degreeReport(
        2,
        { ...load, correct: 10, non2xx: 0 },
        { crashes: 3, restarts: 0, handlerRetries: 0, ledger },
      ),
    ]);

    expect(header).toEqual(['measure', 'degree 1: own queue', 'degree 2: Stage channel']);
    expect(rows).toEqual([
      ['requests sent', 10, 10],
      ['answered (right sum)', 9, 10],
      ['errors (non-2xx)', 1, 0],
      ['of which dead-lettered (500)', '-', 0],
      ['errors (timeouts)', 0, 0],
      ['wrong sums', 0, 0],
      ['latency p50 (ms)', 2, 2],
      ['latency p99 (ms)', 40, 40],
      ['crashes injected', 4, 3],
      ['group restarts', 4, 0],
      ['HTTP handler retries', 5, 0],
      ['redeliveries', '-', 3],
      ['channel accepted', '-', 10],
      ['channel handled', '-', 10],
      ['lost', 1, 0],
    ]);
  });

  it('counts a request the channel dead-lettered as answered and reported, not lost', () => {
    const load: LoadResult = {
      sent: 10,
      correct: 8,
      wrongSums: 0,
      non2xx: 2,
      timeouts: 0,
      connectionErrors: 0,
      cutOff: 0,
      latency: { p50: 2, p99: 40 },
      seconds: 1,
    };
    const ledger = { accepted: 10, handled: 8, redeliveries: 30, deadLettered: 2 } as ChannelStats;

    const report = degreeReport(2, load, { crashes: 30, restarts: 0, handlerRetries: 0, ledger });

    expect(report.lost).toBe(0);
  });
});
