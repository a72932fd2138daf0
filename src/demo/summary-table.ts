import { DEGREE_INFO } from './degree.js';
import type { DegreeReport } from './degree-report.js';
import type { Cell } from './render-table.js';

/** The summary of a run, ready for `renderTable`. */
export interface SummaryTable {
  /** `measure`, then one column per degree driven. */
  readonly header: readonly string[];
  /** One row per measure: its label, then its value for each degree. */
  readonly rows: readonly (readonly Cell[])[];
}

/**
 * The summary of a run: one row per measure, one column per degree driven. Channel measures show
 * `-` for the first degree, which has no channel.
 */
export function summaryTable(reports: readonly DegreeReport[]): SummaryTable {
  type Ledger = NonNullable<DegreeReport['counters']['ledger']>;
  const row = (label: string, value: (report: DegreeReport) => Cell): Cell[] => [
    label,
    ...reports.map(value),
  ];
  const fromLedger = (label: string, value: (ledger: Ledger) => Cell): Cell[] =>
    row(label, ({ counters: { ledger } }) => (ledger === undefined ? '-' : value(ledger)));

  return {
    header: [
      'measure',
      ...reports.map(({ degree }) => `degree ${degree}: ${DEGREE_INFO[degree].short}`),
    ],
    rows: [
      row('requests sent', ({ load }) => load.sent),
      row('answered (right sum)', ({ load }) => load.correct),
      row('errors (non-2xx)', ({ load }) => load.non2xx),
      fromLedger('of which dead-lettered (500)', (ledger) => ledger.deadLettered),
      row('errors (timeouts)', ({ load }) => load.timeouts),
      row('wrong sums', ({ load }) => load.wrongSums),
      row('latency p50 (ms)', ({ load }) => load.latency.p50),
      row('latency p99 (ms)', ({ load }) => load.latency.p99),
      row('crashes injected', ({ counters }) => counters.crashes),
      row('group restarts', ({ counters }) => counters.restarts),
      row('HTTP handler retries', ({ counters }) => counters.handlerRetries),
      fromLedger('redeliveries', (ledger) => ledger.redeliveries),
      fromLedger('channel accepted', (ledger) => ledger.accepted),
      fromLedger('channel handled', (ledger) => ledger.handled),
      row('lost', ({ lost }) => lost),
    ],
  };
}
