import type { PipelineReport } from './pipeline-report.js';
import type { SummaryTable } from './summary-table.js';

/** The pipeline's part of the summary, ready for `renderTable`: one row per measure. */
export function pipelineSummary(report: PipelineReport): SummaryTable {
  const { beforeWindDown, counters, pending, lost } = report;
  const { ticksSent, audit, crashes, ledger, restarts } = counters;
  return {
    header: ['pipeline', restarts.strategy],
    rows: [
      ['ticks sent', ticksSent],
      ['ticks audited', audit.audited],
      ['audited after a restart', audit.carriedOver],
      ['crashes injected (auditor)', crashes],
      ['supervisor restarts', restarts.restarts],
      [
        'ticker restarted with the auditor (before the wind-down)',
        `${beforeWindDown.ticker}/${beforeWindDown.auditor}`,
      ],
      ['redeliveries', ledger.redeliveries],
      ['sequence breaks', audit.sequenceBreaks],
      ['dead letters', ledger.deadLettered],
      ['left pending at the end', pending],
      ['lost', lost],
    ],
  };
}
