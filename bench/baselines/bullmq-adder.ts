import { QueueEvents } from 'bullmq';
import type { Contender } from '../harness/contender.js';
import { uniqueKeyPrefix, type RedisAddress } from '../harness/redis-run-keys.js';
import { runClients } from '../harness/run-clients.js';
import { openBullmqNestQueue } from './bullmq-nest-queue.js';

/** The adder's request, as stored in a BullMQ job. */
interface AdderJob {
  readonly a: number;
  readonly b: number;
}

/**
 * The adder through `@nestjs/bullmq` on local Redis: a tiny Nest application context with
 * `BullModule.forRoot` + `registerQueue` and a `@Processor` (a `WorkerHost` answering `a + b`).
 * Each request is `queue.add(...)` followed by `job.waitUntilFinished(queueEvents)`, the BullMQ
 * way to get a job's return value; `clients` concurrent callers each await their answer.
 *
 * The queue lives under a key prefix of its own and is obliterated on close (and its keys
 * deleted), so runs do not see each other's jobs.
 */
export function bullmqAdder(options: {
  readonly opsPerBatch: number;
  readonly clients: number;
  /** The worker's concurrency (BullMQ `concurrency`). */
  readonly concurrency: number;
  readonly redis: RedisAddress;
}): Contender {
  return {
    label: '@nestjs/bullmq on local Redis',
    opsPerBatch: options.opsPerBatch,
    async open() {
      const queueName = 'adder';
      const bull = await openBullmqNestQueue<AdderJob>({
        queueName,
        prefix: uniqueKeyPrefix('bullmq-adder'),
        concurrency: options.concurrency,
        redis: options.redis,
        handle: (job) => job.data.a + job.data.b,
      });
      const queue = bull.queue;
      // Each pending `waitUntilFinished` adds a 'closing' listener to the queue (BullMQ's design):
      // raise the limit to the number of concurrent callers so Node does not warn.
      queue.setMaxListeners(options.clients + 16);
      const connection = { host: options.redis.host, port: options.redis.port };
      const events = new QueueEvents(queueName, { connection, prefix: bull.prefix });
      await events.waitUntilReady();

      return {
        async runBatch() {
          await runClients({
            clients: options.clients,
            total: options.opsPerBatch,
            call: async (index) => {
              const job = await queue.add('add', { a: index, b: 1 }, { removeOnFail: true });
              const sum: unknown = await job.waitUntilFinished(events);
              if (sum !== index + 1)
                throw new Error(`BullMQ adder: ${String(sum)} != ${index + 1}`);
            },
          });
        },
        async close() {
          await events.close();
          await bull.close();
        },
      };
    },
  };
}
