import type { Contender } from '../harness/contender.js';
import { runClients } from '../harness/run-clients.js';
import { BareAsyncQueue } from './bare-async-queue.js';

/** An adder request with its way to reply, as the bare baseline passes it. */
interface AdderEnvelope {
  readonly a: number;
  readonly b: number;
  readonly reply: (sum: number) => void;
}

/**
 * Request/reply round trips over a {@link BareAsyncQueue} plus one promise per request: each
 * request pushes `{ a, b, reply }`, one server loop answers `a + b` through `reply`. `clients`
 * concurrent callers each await their answer before the next request. No timeout, no abort, no
 * redelivery: the upper bound for the channel's request/reply row.
 */
export function bareRequestReply(options: {
  readonly opsPerBatch: number;
  readonly clients: number;
}): Contender {
  return {
    label: 'bare queue + promise per request',
    opsPerBatch: options.opsPerBatch,
    async open() {
      const queue = new BareAsyncQueue<AdderEnvelope | undefined>();
      const server = (async () => {
        for (;;) {
          const envelope = await queue.shift();
          if (envelope === undefined) return;
          envelope.reply(envelope.a + envelope.b);
        }
      })();
      const request = (a: number, b: number): Promise<number> =>
        new Promise<number>((reply) => queue.push({ a, b, reply }));

      return {
        async runBatch() {
          await runClients({
            clients: options.clients,
            total: options.opsPerBatch,
            call: async (index) => {
              const sum = await request(index, 1);
              if (sum !== index + 1) throw new Error(`bare request: ${sum} != ${index + 1}`);
            },
          });
        },
        async close() {
          queue.push(undefined);
          await server;
        },
      };
    },
  };
}
