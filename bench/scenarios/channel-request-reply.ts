import { Channel, handleChannel } from 'nestjs-stage';
import { bareRequestReply } from '../baselines/bare-request-reply.js';
import { compareThroughput } from '../harness/compare-throughput.js';
import type { Contender } from '../harness/contender.js';
import { runClients } from '../harness/run-clients.js';
import { throughputOutcome, type Scenario } from '../harness/scenario.js';
import { closeAndCheckLedger, consumeChannel } from './stage-fixtures.js';

/** The adder's request. */
export interface AdderRequest {
  readonly a: number;
  readonly b: number;
}

/**
 * Request/reply round trips through a `Channel` in handler mode: `clients` concurrent callers
 * each await `channel.request({ a, b })` before the next; a group of `size` tasks built by
 * `handleChannel` answers `a + b`. No `timeoutMs`, as in the baseline (a timeout adds one timer
 * per request). The ledger must balance at close.
 */
export function stageRequestReply(options: {
  readonly opsPerBatch: number;
  readonly clients: number;
  readonly size: number;
  readonly label?: string;
}): Contender {
  return {
    label: options.label ?? 'Stage channel request (handler mode)',
    opsPerBatch: options.opsPerBatch,
    async open() {
      const channel = new Channel<AdderRequest, number>({ name: 'bench-adder' });
      const fixture = await consumeChannel({
        channel,
        size: options.size,
        task: handleChannel(channel, ({ a, b }) => a + b),
      });

      return {
        async runBatch() {
          await runClients({
            clients: options.clients,
            total: options.opsPerBatch,
            call: async (index) => {
              const sum = await channel.request({ a: index, b: 1 });
              if (sum !== index + 1) throw new Error(`Stage adder: ${sum} != ${index + 1}`);
            },
          });
        },
        async close() {
          await closeAndCheckLedger(fixture);
        },
      };
    },
  };
}

/** DESIGN: request/reply round trips against a bare queue plus a promise; target >= 0.6. */
export const requestReplyScenario: Scenario = {
  id: 'request-reply',
  scenario: 'request/reply round trips',
  comparedWith: 'bare queue plus a promise per request (upper bound)',
  target: { kind: 'ratio-at-least', value: 0.6 },
  async run(settings) {
    const opsPerBatch = settings.quick ? 5_000 : 20_000;
    const clients = 64;
    const comparison = await compareThroughput(
      stageRequestReply({ opsPerBatch, clients, size: 1 }),
      bareRequestReply({ opsPerBatch, clients }),
      settings.quick
        ? { rounds: 2, batchesPerRound: 3, warmupBatches: 2 }
        : { rounds: 11, batchesPerRound: 10, warmupBatches: 5 },
    );
    return {
      outcome: throughputOutcome(comparison, this.target, 'req/s'),
      details: { opsPerBatch, clients, consumers: 1, comparison },
    };
  },
};
