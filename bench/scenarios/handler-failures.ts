import { Channel, handleChannel, type ChannelStats } from 'nestjs-stage';
import { BatchCounter } from '../harness/batch-counter.js';
import { compareThroughput } from '../harness/compare-throughput.js';
import type { Contender } from '../harness/contender.js';
import { throughputOutcome, type Scenario } from '../harness/scenario.js';
import { closeAndCheckLedger, consumeChannel, lostMessages } from './stage-fixtures.js';

/** The failure a handler throws; allocated once so that the figures measure redelivery. */
const FAILURE = new Error('bench: planned delivery failure');

/**
 * One-way throughput of a `Channel` in handler mode, with one message in `failEvery` failing its
 * first delivery (or none when `failEvery` is 0). The redelivery delay is 0 so that the figure
 * measures the cost of failing and redelivering, not a wait. A batch ends when every message
 * of the batch has been handled successfully, redelivered ones included.
 */
export function stageHandlerThroughput(options: {
  readonly opsPerBatch: number;
  readonly failEvery: number;
  readonly label: string;
  /** Receives the channel's final ledger and the handler's own count of successes. */
  readonly onClosed: (stats: ChannelStats, handledByHandler: number) => void;
}): Contender {
  return {
    label: options.label,
    opsPerBatch: options.opsPerBatch,
    async open() {
      const counter = new BatchCounter();
      let handledByHandler = 0;
      const channel = new Channel<number>({
        name: `bench-handler-${options.failEvery}`,
        redelivery: { minMs: 0 },
      });
      const failEvery = options.failEvery;
      const fixture = await consumeChannel({
        channel,
        size: 1,
        task: handleChannel(channel, (value, delivery) => {
          if (failEvery > 0 && value % failEvery === 0 && delivery.deliveryCount === 1) {
            throw FAILURE;
          }
          handledByHandler += 1;
          counter.tick();
        }),
      });

      return {
        async runBatch() {
          const done = counter.expect(options.opsPerBatch);
          for (let index = 0; index < options.opsPerBatch; index += 1) await channel.send(index);
          await done;
        },
        async close() {
          options.onClosed(await closeAndCheckLedger(fixture), handledByHandler);
        },
      };
    },
  };
}

/** DESIGN: throughput with 1% of deliveries failing against none; target >= 0.5 and 0 lost. */
export const handlerFailuresScenario: Scenario = {
  id: 'failures',
  scenario: 'throughput with 1% of deliveries failing',
  comparedWith: 'the same run with no failures',
  target: { kind: 'ratio-at-least', value: 0.5 },
  async run(settings) {
    const opsPerBatch = settings.quick ? 5_000 : 20_000;
    const ledgers: Record<string, { stats: ChannelStats; handledByHandler: number }> = {};
    const comparison = await compareThroughput(
      stageHandlerThroughput({
        opsPerBatch,
        failEvery: 100,
        label: 'handler mode, 1% failing',
        onClosed: (stats, handledByHandler) => (ledgers.failing = { stats, handledByHandler }),
      }),
      stageHandlerThroughput({
        opsPerBatch,
        failEvery: 0,
        label: 'handler mode, no failures',
        onClosed: (stats, handledByHandler) => (ledgers.clean = { stats, handledByHandler }),
      }),
      settings.quick
        ? { rounds: 2, batchesPerRound: 3, warmupBatches: 2 }
        : { rounds: 11, batchesPerRound: 10, warmupBatches: 5 },
    );

    const failing = ledgers.failing;
    const lost = lostMessages(failing.stats) + (failing.stats.accepted - failing.handledByHandler);
    const redelivered = failing.stats.redeliveries;
    return {
      outcome: throughputOutcome(comparison, this.target, 'msg/s', {
        alsoMet: lost === 0 && redelivered > 0,
        note: `${lost} lost, ${redelivered.toLocaleString('en-US')} redelivered`,
      }),
      details: { opsPerBatch, failEvery: 100, redeliveryMinMs: 0, ledgers, comparison },
    };
  },
};
