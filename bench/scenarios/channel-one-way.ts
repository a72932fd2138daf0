import { Channel } from 'nestjs-stage';
import { bareQueueOneWay } from '../baselines/bare-queue-one-way.js';
import { effectQueueOneWay } from '../baselines/effect-queue-one-way.js';
import { BatchCounter } from '../harness/batch-counter.js';
import { compareThroughput, type CompareOptions } from '../harness/compare-throughput.js';
import type { Contender } from '../harness/contender.js';
import { throughputOutcome, type RunSettings, type Scenario } from '../harness/scenario.js';
import { closeAndCheckLedger, consumeChannel } from './stage-fixtures.js';

/** The channel's default capacity, also given to Effect's bounded queue. */
const CAPACITY = 1024;

/**
 * How the Stage producer sends: `await send()` for every message, or the documented bulk idiom
 * `if (!channel.trySend(message)) await channel.send(message)`, which awaits only when the
 * channel is full (the counterpart of the bare queue's synchronous push).
 */
export type ProducerStyle = 'await-send' | 'try-send';

/**
 * One-way throughput of a `Channel` in loop mode: one producer sends `opsPerBatch` numbers
 * (default capacity 1,024, backpressure), one task iterates `channel.consume(ctx)` and adds them
 * up. At close the ledger must show every message handled.
 */
export function stageChannelOneWay(options: {
  readonly opsPerBatch: number;
  readonly producer: ProducerStyle;
}): Contender {
  const trySend = options.producer === 'try-send';
  return {
    label: `Stage channel (loop mode, ${options.producer})`,
    opsPerBatch: options.opsPerBatch,
    async open() {
      const counter = new BatchCounter();
      let sum = 0;
      const channel = new Channel<number>({ name: 'bench-one-way', capacity: CAPACITY });
      const fixture = await consumeChannel({
        channel,
        size: 1,
        task: async (ctx) => {
          for await (const delivery of channel.consume(ctx)) {
            sum += delivery.body;
            counter.tick();
          }
        },
      });

      return {
        async runBatch() {
          const done = counter.expect(options.opsPerBatch);
          for (let index = 0; index < options.opsPerBatch; index += 1) {
            if (!trySend || !channel.trySend(index)) await channel.send(index);
          }
          await done;
        },
        async close() {
          await closeAndCheckLedger(fixture);
          if (counter.strays !== 0 || sum < 0) throw new Error('Stage channel: stray messages');
        },
      };
    },
  };
}

function settingsFor(settings: RunSettings): { opsPerBatch: number; compare: CompareOptions } {
  return settings.quick
    ? { opsPerBatch: 5_000, compare: { rounds: 2, batchesPerRound: 3, warmupBatches: 2 } }
    : { opsPerBatch: 20_000, compare: { rounds: 11, batchesPerRound: 10, warmupBatches: 5 } };
}

/** DESIGN: channel one-way throughput against a bare array-backed async queue; target >= 0.7. */
export const channelVsBareQueueScenario: Scenario = {
  id: 'one-way-bare',
  scenario: 'channel one-way throughput',
  comparedWith: 'a bare array-backed async queue (upper bound)',
  target: { kind: 'ratio-at-least', value: 0.7 },
  async run(settings) {
    const { opsPerBatch, compare } = settingsFor(settings);
    const comparison = await compareThroughput(
      stageChannelOneWay({ opsPerBatch, producer: 'try-send' }),
      bareQueueOneWay({ opsPerBatch }),
      compare,
    );
    // Two diagnostics, not DESIGN rows: a producer awaiting every send, against the same bare
    // queue and against a bare producer that also awaits every push.
    const awaitSend = await compareThroughput(
      stageChannelOneWay({ opsPerBatch, producer: 'await-send' }),
      bareQueueOneWay({ opsPerBatch }),
      compare,
    );
    const awaitBoth = await compareThroughput(
      stageChannelOneWay({ opsPerBatch, producer: 'await-send' }),
      bareQueueOneWay({ opsPerBatch, awaitEachPush: true }),
      compare,
    );
    return {
      outcome: throughputOutcome(comparison, this.target, 'msg/s', {
        note:
          `trySend; await send: ${awaitSend.ratio.toFixed(2)}, ` +
          `both awaiting: ${awaitBoth.ratio.toFixed(2)}`,
      }),
      details: {
        opsPerBatch,
        capacity: CAPACITY,
        producer: 'if (!channel.trySend(m)) await channel.send(m)',
        comparison,
        awaitSendComparison: awaitSend,
        awaitBothComparison: awaitBoth,
      },
    };
  },
};

/** DESIGN: channel one-way throughput against Effect's `Queue`; target >= 2x. */
export const channelVsEffectQueueScenario: Scenario = {
  id: 'one-way-effect',
  scenario: 'channel one-way throughput',
  comparedWith: 'Effect Queue',
  target: { kind: 'ratio-at-least', value: 2 },
  async run(settings) {
    const { opsPerBatch, compare } = settingsFor(settings);
    const comparison = await compareThroughput(
      stageChannelOneWay({ opsPerBatch, producer: 'try-send' }),
      effectQueueOneWay({ opsPerBatch, capacity: CAPACITY }),
      compare,
    );
    const awaitSend = await compareThroughput(
      stageChannelOneWay({ opsPerBatch, producer: 'await-send' }),
      effectQueueOneWay({ opsPerBatch, capacity: CAPACITY }),
      compare,
    );
    return {
      outcome: throughputOutcome(comparison, this.target, 'msg/s', {
        note: `trySend; await send: ${awaitSend.ratio.toFixed(2)}`,
      }),
      details: {
        opsPerBatch,
        capacity: CAPACITY,
        effect: 'effect 4.x, Queue.bounded, producer fiber + Queue.take loop',
        producer: 'if (!channel.trySend(m)) await channel.send(m)',
        comparison,
        awaitSendComparison: awaitSend,
      },
    };
  },
};
