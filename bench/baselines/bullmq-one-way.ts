import { BatchCounter } from '../harness/batch-counter.js';
import type { Contender } from '../harness/contender.js';
import { uniqueKeyPrefix, type RedisAddress } from '../harness/redis-run-keys.js';
import { runClients } from '../harness/run-clients.js';
import { openBullmqNestQueue } from './bullmq-nest-queue.js';

/** The adder's message, as stored in a BullMQ job. */
interface AdderJob {
  readonly a: number;
  readonly b: number;
}

/**
 * One-way adder messages through `@nestjs/bullmq` on local Redis: `clients` concurrent producers
 * each await `queue.add(...)` (BullMQ's confirmation that Redis has the job) before the next; a
 * `@Processor` with `concurrency` adds `a + b` up. A batch ends when the processor has handled
 * its last job. Jobs are removed once done (`removeOnComplete`, `removeOnFail`), as a stream
 * consumer's acknowledgement leaves nothing to keep.
 */
export function bullmqOneWay(options: {
  readonly opsPerBatch: number;
  readonly clients: number;
  /** The worker's concurrency (BullMQ `concurrency`). */
  readonly concurrency: number;
  readonly redis: RedisAddress;
}): Contender {
  return {
    label: '@nestjs/bullmq one-way',
    opsPerBatch: options.opsPerBatch,
    async open() {
      const counter = new BatchCounter();
      let sum = 0;
      const bull = await openBullmqNestQueue<AdderJob>({
        queueName: 'adder-one-way',
        prefix: uniqueKeyPrefix('bullmq-one-way'),
        concurrency: options.concurrency,
        redis: options.redis,
        handle: (job) => {
          sum += job.data.a + job.data.b;
          counter.tick();
        },
      });
      const jobOptions = { removeOnComplete: true, removeOnFail: true };

      return {
        async runBatch() {
          const done = counter.expect(options.opsPerBatch);
          await runClients({
            clients: options.clients,
            total: options.opsPerBatch,
            call: (index) => bull.queue.add('add', { a: index, b: 1 }, jobOptions),
          });
          await done;
        },
        async close() {
          await bull.close();
          if (counter.strays !== 0 || sum < 0) throw new Error('BullMQ one-way: stray jobs');
        },
      };
    },
  };
}
