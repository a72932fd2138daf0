import 'reflect-metadata';
import { Inject, Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BullModule, Processor, WorkerHost, getQueueToken } from '@nestjs/bullmq';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Contender } from '../harness/contender.js';
import { runClients } from '../harness/run-clients.js';

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
 * The queue lives under a per-process key prefix and is obliterated on close, so runs do not
 * see each other's jobs.
 */
export function bullmqAdder(options: {
  readonly opsPerBatch: number;
  readonly clients: number;
  /** The worker's concurrency (BullMQ `concurrency`). */
  readonly concurrency: number;
  readonly redis: { readonly host: string; readonly port: number };
}): Contender {
  return {
    label: '@nestjs/bullmq on local Redis',
    opsPerBatch: options.opsPerBatch,
    async open() {
      const queueName = 'adder';
      const prefix = `stage-bench-${process.pid}-${Date.now()}`;
      const connection = { host: options.redis.host, port: options.redis.port };

      @Processor(queueName, { concurrency: options.concurrency })
      class AdderProcessor extends WorkerHost {
        async process(job: Job<AdderJob>): Promise<number> {
          return job.data.a + job.data.b;
        }
      }

      @Injectable()
      class AdderClient {
        constructor(@Inject(getQueueToken(queueName)) readonly queue: Queue<AdderJob>) {}
      }

      @Module({
        imports: [
          BullModule.forRoot({ connection, prefix }),
          BullModule.registerQueue({ name: queueName }),
        ],
        providers: [AdderProcessor, AdderClient],
      })
      class BullAdderModule {}

      const app: INestApplicationContext = await NestFactory.createApplicationContext(
        BullAdderModule,
        { logger: false },
      );
      await app.init();
      const queue = app.get(AdderClient).queue;
      // Each pending `waitUntilFinished` adds a 'closing' listener to the queue (BullMQ's design):
      // raise the limit to the number of concurrent callers so Node does not warn.
      queue.setMaxListeners(options.clients + 16);
      const events = new QueueEvents(queueName, { connection, prefix });
      await events.waitUntilReady();
      await queue.waitUntilReady();

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
          await queue.obliterate({ force: true });
          await app.close();
        },
      };
    },
  };
}
