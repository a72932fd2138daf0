import { TaskGroup } from 'nestjs-stage';
import { tryCatchRestartLoop } from '../baselines/try-catch-restart-loop.js';
import { BatchCounter } from '../harness/batch-counter.js';
import { compareThroughput } from '../harness/compare-throughput.js';
import type { Contender } from '../harness/contender.js';
import { throughputOutcome, type Scenario } from '../harness/scenario.js';

/** The failure every run throws; allocated once, as in the baseline, so stacks cost nothing. */
const FAILURE = new Error('bench: planned failure');

/**
 * Restarts per second of a `TaskGroup` whose single task throws at once: `restart: 'always'`,
 * `backoff: { minMs: 0 }`, intensity disabled. Runs are counted in the task body, exactly as the
 * baseline counts them, and the group's own `status().restarts` is checked against that count.
 */
export function stageGroupRestarts(options: { readonly opsPerBatch: number }): Contender {
  return {
    label: 'TaskGroup, zero backoff',
    opsPerBatch: options.opsPerBatch,
    async open() {
      const counter = new BatchCounter();
      let runs = 0;
      let closing = false;
      const group = new TaskGroup({
        name: 'bench-restarts',
        size: 1,
        restart: 'always',
        backoff: { minMs: 0 },
        intensity: false,
        task: async () => {
          // Between batches the task waits, so it does not run while the other side is timed.
          if (!counter.isOpen) await counter.whenOpen();
          if (closing) return;
          runs += 1;
          counter.tick();
          throw FAILURE;
        },
      });
      group.start();

      return {
        runBatch: () => counter.expect(options.opsPerBatch),
        async close() {
          closing = true;
          const stopping = group.stop({ timeoutMs: 1000 });
          counter.release();
          const report = await stopping;
          const restarts = group.status().restarts;
          if (!report.clean || restarts < runs - 1) {
            throw new Error(`TaskGroup: ${runs} runs but ${restarts} restarts counted`);
          }
        },
      };
    },
  };
}

/** DESIGN: restarts per second, zero backoff, against a bare try/catch loop; target >= 0.5. */
export const groupRestartsScenario: Scenario = {
  id: 'restarts',
  scenario: 'restarts per second, zero backoff',
  comparedWith: 'a bare try/catch loop that yields once per restart',
  target: { kind: 'ratio-at-least', value: 0.5 },
  async run(settings) {
    const opsPerBatch = settings.quick ? 2_000 : 10_000;
    const comparison = await compareThroughput(
      stageGroupRestarts({ opsPerBatch }),
      tryCatchRestartLoop({ opsPerBatch }),
      settings.quick
        ? { rounds: 2, batchesPerRound: 3, warmupBatches: 1 }
        : { rounds: 9, batchesPerRound: 6, warmupBatches: 2 },
    );
    return {
      outcome: throughputOutcome(comparison, this.target, 'restarts/s'),
      details: { opsPerBatch, comparison },
    };
  },
};
