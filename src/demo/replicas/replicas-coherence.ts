import type { ReplicaCounters } from './replica-counters.js';
import type { ReplicaOutcome, ReplicasReport } from './replicas-report.js';

/**
 * What is wrong with a `--redis` run, as sentences; empty when the run is coherent:
 *
 * - Requests were sent, crashes were injected and redelivered, and every request was answered
 *   with the right sum (`lost == 0`), whichever replica handled it.
 * - Every replica that was not killed closed gracefully, sent no request to the channel twice,
 *   and its ledger is settled: nothing dead-lettered, withdrawn, dropped, left stored or pending.
 * - A killed replica held at least one message when it died (otherwise the kill proved nothing).
 * - Redis has nothing left: no pending entry (the killed replica's were claimed and handled), no
 *   undelivered entry, no dead letter.
 *
 * The killed replica's own counters (its last report) are not checked: what it did after that
 * report is known only to Redis, which the last point checks.
 */
export function replicasIncoherences(report: ReplicasReport): string[] {
  const { load, replicas, leftovers, lost } = report;
  const problems: string[] = [];
  const where = 'replicas';
  const counted = replicas.flatMap(({ counters }) => (counters === undefined ? [] : [counters]));
  const crashes = sum(counted, ({ crashes }) => crashes);

  if (load.sent === 0) problems.push(`${where}: no request was sent.`);
  if (lost > 0) {
    problems.push(
      `${where}: ${lost} of ${load.sent} requests were never answered with the right sum ` +
        `(${load.non2xx} non-2xx, ${load.timeouts} timed out, ${load.wrongSums} wrong sums, ` +
        `${load.connectionErrors} connection errors, ${load.cutOff} cut off at the end).`,
    );
  }
  if (crashes === 0) {
    problems.push(`${where}: no crash was injected; raise --crash-rate or --duration.`);
  } else if (sum(counted, ({ ledger }) => ledger.redeliveries) === 0) {
    problems.push(`${where}: ${crashes} crashes but no delivery was repeated.`);
  }
  for (const outcome of replicas) problems.push(...outcomeProblems(outcome));
  const { pending, undelivered, deadLetters } = leftovers;
  if (pending + undelivered + deadLetters > 0) {
    problems.push(
      `${where}: Redis still holds messages of the channel: ${pending} pending, ` +
        `${undelivered} undelivered, ${deadLetters} dead letters.`,
    );
  }
  return problems;
}

function outcomeProblems(outcome: ReplicaOutcome): string[] {
  const where = `replica ${outcome.replica}`;
  switch (outcome.kind) {
    case 'failed':
      return [`${where}: ${outcome.error}`];
    case 'killed':
      return outcome.stranded > 0
        ? []
        : [
            `${where} was killed holding no message, so nothing had to be claimed; ` +
              'raise --duration or --connections.',
          ];
    case 'closed': {
      const { httpRequests, ledger } = outcome.counters;
      const problems: string[] = [];
      const retries = ledger.accepted - ledger.replayed - httpRequests;
      if (retries !== 0) {
        problems.push(
          `${where}: put ${ledger.accepted} messages into the channel for ${httpRequests} HTTP ` +
            'requests; expected one each.',
        );
      }
      const pending = ledger.buffered + ledger.inFlight + ledger.delayed;
      const unsettled = ledger.deadLettered + ledger.withdrawn + ledger.dropped + ledger.stored;
      if (unsettled + pending > 0) {
        problems.push(
          `${where}: its ledger is not settled (dead-lettered ${ledger.deadLettered}, withdrawn ` +
            `${ledger.withdrawn}, dropped ${ledger.dropped}, left stored ${ledger.stored}, still ` +
            `pending ${pending}).`,
        );
      }
      return problems;
    }
  }
}

function sum(
  counters: readonly ReplicaCounters[],
  value: (counters: ReplicaCounters) => number,
): number {
  return counters.reduce((total, each) => total + value(each), 0);
}
