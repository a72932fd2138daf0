import type { Cell } from '../render-table.js';
import type { SummaryTable } from '../summary-table.js';
import type { ReplicaCounters } from './replica-counters.js';
import type { ReplicaOutcome, ReplicasReport } from './replicas-report.js';

/** Marks a figure of a killed replica: its last report, not its final count. */
const LAST_REPORT = '*';

/**
 * The summary of a `--redis` run: one row per measure, one column per replica, then their sum.
 * A killed replica's figures come from its last report before the kill and are marked with `*`,
 * and so are the sums that include them; `-` where a replica sent no report at all.
 */
export function replicasSummary({ replicas }: ReplicasReport): SummaryTable {
  const row = (label: string, value: (counters: ReplicaCounters) => number): Cell[] => {
    const cells = replicas.map((outcome) => cellOf(outcome, value));
    const total = replicas.reduce((all, { counters }) => all + (counters ? value(counters) : 0), 0);
    const partial = replicas.some((outcome) => outcome.kind !== 'closed');
    return [label, ...cells, partial ? `${total}${LAST_REPORT}` : total];
  };

  return {
    header: ['measure', ...replicas.map(columnTitle), 'all replicas'],
    rows: [
      row('HTTP requests answered', ({ httpRequests }) => httpRequests),
      row('messages sent (accepted)', ({ ledger }) => ledger.accepted),
      row('messages read from Redis', ({ ledger }) => ledger.received),
      row('messages handled', ({ ledger }) => ledger.handled),
      row('late acknowledgements', ({ ledger }) => ledger.duplicates),
      row('crashes injected', ({ crashes }) => crashes),
      row('redeliveries after a crash', ({ ledger }) => ledger.redeliveries),
      row('group restarts', ({ restarts }) => restarts),
      row('dead letters', ({ ledger }) => ledger.deadLettered),
      row('withdrawn', ({ ledger }) => ledger.withdrawn),
    ],
  };
}

function columnTitle({ replica, kind }: ReplicaOutcome): string {
  return kind === 'closed' ? `replica ${replica}` : `replica ${replica} (${kind})`;
}

function cellOf(outcome: ReplicaOutcome, value: (counters: ReplicaCounters) => number): Cell {
  if (outcome.counters === undefined) return '-';
  const figure = value(outcome.counters);
  return outcome.kind === 'closed' ? figure : `${figure}${LAST_REPORT}`;
}
