import type { DegreeReport } from './degree-report.js';

/**
 * What is wrong with a degree's run, as sentences; empty when the run is coherent:
 *
 * - Every degree: requests were sent, crashes were injected, and every request was eventually
 *   answered with the right sum (`lost == 0`), or, in the second degree, dead-lettered.
 * - First degree: the group restarted its crashed workers (`restarts > 0`).
 * - Second degree: no request was sent to the channel twice (`handlerRetries == 0`), the channel
 *   redelivered what the crashes failed (`redeliveries > 0`), and its ledger is settled: every
 *   message it accepted was handled or, once all its deliveries crashed (likely only at high
 *   crash rates), dead-lettered; none withdrawn, dropped or still pending. Its group need not
 *   restart: in handler mode a throw fails one delivery, not the task.
 */
export function incoherences(report: DegreeReport): string[] {
  const { degree, load, counters, lost } = report;
  const problems: string[] = [];
  const where = `degree ${degree}`;

  if (load.sent === 0) problems.push(`${where}: no request was sent.`);
  if (lost > 0) {
    problems.push(
      `${where}: ${lost} of ${load.sent} requests were never answered with the right sum ` +
        `(${load.non2xx} non-2xx, ${load.timeouts} timed out, ${load.wrongSums} wrong sums, ` +
        `${load.cutOff} cut off at the end).`,
    );
  }
  if (counters.crashes === 0) {
    problems.push(`${where}: no crash was injected; raise --crash-rate or --duration.`);
  }
  if (degree === 1 && counters.crashes > 0 && counters.restarts === 0) {
    problems.push(`${where}: ${counters.crashes} crashes but the group never restarted.`);
  }
  if (degree === 2) {
    const { ledger } = counters;
    if (counters.handlerRetries !== 0) {
      problems.push(`${where}: the handler retried ${counters.handlerRetries} times; expected 0.`);
    }
    if (counters.crashes > 0 && !ledger?.redeliveries) {
      problems.push(`${where}: ${counters.crashes} crashes but no delivery was repeated.`);
    }
    if (ledger === undefined || ledger.handled + ledger.deadLettered !== ledger.accepted) {
      problems.push(
        `${where}: the channel handled ${ledger?.handled ?? 0} of the ` +
          `${ledger?.accepted ?? 0} messages it accepted (dead-lettered ` +
          `${ledger?.deadLettered ?? 0}, withdrawn ${ledger?.withdrawn ?? 0}, dropped ` +
          `${ledger?.dropped ?? 0}, still pending ` +
          `${(ledger?.buffered ?? 0) + (ledger?.inFlight ?? 0) + (ledger?.delayed ?? 0)}).`,
      );
    }
  }
  return problems;
}
