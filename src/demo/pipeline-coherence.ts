import type { PipelineReport } from './pipeline-report.js';

/**
 * What is wrong with the pipeline's run, as sentences; empty when the run is coherent:
 *
 * - Ticks were sent, crashes were injected into the auditor, none was lost, and every tick sent
 *   was audited (none dead-lettered or left pending), in sequence within its session, with the channel drained and its ledger
 *   agreeing with the ticker and the auditor (nothing dead-lettered).
 * - The supervisor is `one-for-all` and restarted its children at least once; every crash led to
 *   a restart; and until the ticker was stopped on purpose, every restart took the ticker along
 *   with the auditor (both were restarted as many times).
 */
export function pipelineIncoherences(report: PipelineReport): string[] {
  const { beforeWindDown, windDown, counters, pending, lost } = report;
  const { ticksSent, audit, crashes, ledger, restarts } = counters;
  const problems: string[] = [];
  const where = 'pipeline';

  if (ticksSent === 0) problems.push(`${where}: no tick was sent.`);
  if (crashes === 0) {
    problems.push(`${where}: no crash was injected; raise --crash-rate or --duration.`);
  }
  if (restarts.strategy !== 'one-for-all') {
    problems.push(`${where}: its supervisor is ${restarts.strategy}; expected one-for-all.`);
  }
  if (crashes > 0 && restarts.restarts === 0) {
    problems.push(`${where}: ${crashes} crashes but its supervisor never restarted its children.`);
  } else if (restarts.restarts !== crashes) {
    problems.push(
      `${where}: its supervisor restarted its children ${restarts.restarts} times for ` +
        `${crashes} crashes of the auditor; expected one restart per crash.`,
    );
  }
  if (beforeWindDown.ticker !== beforeWindDown.auditor) {
    problems.push(
      `${where}: the auditor was restarted ${beforeWindDown.auditor} times but the ticker ` +
        `${beforeWindDown.ticker}; one-for-all restarts them together.`,
    );
  }
  if (!windDown.drained) {
    problems.push(`${where}: the auditor did not drain the channel within ${windDown.ms} ms.`);
  }
  if (lost > 0) {
    problems.push(`${where}: ${lost} of ${ticksSent} ticks ended no counted way: they were lost.`);
  }
  const unaudited = ticksSent - audit.audited;
  if (unaudited > 0) {
    problems.push(
      `${where}: ${unaudited} of ${ticksSent} ticks were never audited (dead-lettered ` +
        `${ledger.deadLettered}, still pending ${pending}).`,
    );
  }
  if (audit.sequenceBreaks > 0) {
    problems.push(`${where}: ${audit.sequenceBreaks} ticks came out of sequence in their session.`);
  }
  if (ledger.accepted !== ticksSent || ledger.handled !== audit.audited) {
    problems.push(
      `${where}: the channel accepted ${ledger.accepted} and handled ${ledger.handled} ticks, ` +
        `but the ticker sent ${ticksSent} and the auditor audited ${audit.audited}.`,
    );
  }
  return problems;
}
