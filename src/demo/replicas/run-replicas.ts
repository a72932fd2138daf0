import { fileURLToPath } from 'node:url';

import type { DemoMode, DemoOptions } from '../demo-options.js';
import { renderTable } from '../render-table.js';
import { ADD_WORK_MS, CLAIM_IDLE_MS, driveReplicas } from './drive-replicas.js';
import { replicasIncoherences } from './replicas-coherence.js';
import type { ReplicasReport } from './replicas-report.js';
import { replicasSummary } from './replicas-summary.js';

/** The compiled replica entry point, next to this file in `dist/`. */
const REPLICA_ENTRY = fileURLToPath(new URL('./replica-main.js', import.meta.url));

/**
 * `npm run demo -- --redis [--replicas n] [--kill-one]`: runs the second degree's adder across
 * replica processes that share its channel on Redis (see `driveReplicas`), and prints what
 * happened: each replica's ledger, their sum, what the kill left behind and what Redis still
 * holds. Loaded only in this mode, so that the default demo never loads a Redis client.
 *
 * @returns What is wrong with the run (see `replicasIncoherences`); empty when it is coherent.
 * @throws (rejects) Error when Redis does not answer or a replica does not start.
 */
export async function runReplicas(
  options: DemoOptions,
  mode: Extract<DemoMode, { kind: 'redis' }>,
): Promise<string[]> {
  const { durationSeconds, connections, crashRate, seed } = options;
  const { url, replicas, killOne } = mode;
  console.log(
    `Redis mode: ${replicas} replica processes of the application share the adder channel on ` +
      `${url}. Crash rate ${crashRate}, seed ${seed}, ${connections} connections, ` +
      `${durationSeconds} s of GET /v2/add; each addition takes ${ADD_WORK_MS} ms, as if it did I/O.`,
  );
  console.log(
    killOne
      ? `The HTTP load is shared by replicas 1 to ${replicas - 1}, as behind a load balancer. ` +
          `Replica ${replicas} takes no HTTP request (one whose connection died with its process ` +
          'would be lost to HTTP, whatever the channel does): it only consumes, and is killed ' +
          'with SIGKILL halfway, holding messages that the others must claim and handle.'
      : 'The HTTP load is shared by every replica, as behind a load balancer; each one also ' +
          'consumes, so a request is often handled by another replica than the one it reached.',
  );

  const report = await driveReplicas({
    redisUrl: url,
    replicas,
    killOne,
    durationMs: durationSeconds * 1000,
    connections,
    crashRate,
    seed,
    launch: { entry: REPLICA_ENTRY },
    print: (line) => console.log(line),
    output: (line) => console.log(`  ${line}`),
  });

  printReport(report);
  return replicasIncoherences(report);
}

function printReport(report: ReplicasReport): void {
  const { load, replicas, leftovers, keyPrefix, keysDeleted, lost } = report;
  const { header, rows } = replicasSummary(report);
  console.log('\nSummary (each replica counts in its own process):');
  for (const line of renderTable(header, rows)) console.log(line);

  const killed = replicas.filter((outcome) => outcome.kind === 'killed');
  if (killed.length > 0) {
    console.log(
      "* the killed replica's last report, sent at most 100 ms before SIGKILL; what it did after " +
        'it is not counted here, but Redis knows (below).',
    );
  }
  console.log(
    `\nHTTP: ${load.sent} requests sent, ${load.correct} answered with the right sum, ` +
      `${load.non2xx} non-2xx, ${load.timeouts} timed out; latency p50 ${load.latency.p50} ms, ` +
      `p99 ${load.latency.p99} ms.`,
  );
  const redelivered = replicas.reduce(
    (all, { counters }) => all + (counters?.ledger.redeliveries ?? 0),
    0,
  );
  for (const victim of killed) {
    if (victim.kind !== 'killed') continue;
    console.log(
      `Killed: replica ${victim.replica} held ${victim.stranded} message(s) when it died; the ` +
        `others claimed them after ${CLAIM_IDLE_MS} ms idle and handled them.`,
    );
  }
  const claimed = killed.reduce(
    (all, victim) => all + (victim.kind === 'killed' ? victim.stranded : 0),
    0,
  );
  console.log(
    `Redelivered across the replicas: ${redelivered} after a crash` +
      (killed.length > 0 ? `, ${claimed} claimed from the killed replica.` : '.'),
  );
  console.log(
    `Redis at the end: ${leftovers.pending} pending, ${leftovers.undelivered} undelivered, ` +
      `${leftovers.deadLetters} dead letters; ${keysDeleted} ${keysDeleted === 1 ? 'key' : 'keys'} ` +
      `under "${keyPrefix}" deleted.`,
  );
  console.log(`Lost across the replicas: ${lost} (requests sent minus requests answered right).`);
}
