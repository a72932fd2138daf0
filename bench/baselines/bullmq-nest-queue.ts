import 'reflect-metadata';
import { Inject, Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BullModule, Processor, WorkerHost, getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { deleteKeysUnder, type RedisAddress } from '../harness/redis-run-keys.js';

/** A BullMQ queue served by a `@Processor` inside a running Nest application context. */
export interface BullmqNestQueue<TData> {
  readonly queue: Queue<TData>;
  /** BullMQ's `prefix` of the queue, for other BullMQ objects on it (`QueueEvents`). */
  readonly prefix: string;
  /** Obliterates the queue, closes the application (and its worker), deletes the prefix's keys. */
  close(): Promise<void>;
}

/**
 * Boots a tiny Nest application context the `@nestjs/bullmq` way: `BullModule.forRoot` (the
 * connection and a key prefix of its own) plus `registerQueue`, and a `@Processor` (a
 * `WorkerHost`) whose `process` calls `handle` with each job. Resolves once the queue and the
 * worker are ready.
 */
export async function openBullmqNestQueue<TData>(options: {
  readonly queueName: string;
  /** A prefix from `uniqueKeyPrefix`; BullMQ adds its own `:` after it. */
  readonly prefix: string;
  /** The worker's concurrency (BullMQ `concurrency`). */
  readonly concurrency: number;
  readonly redis: RedisAddress;
  readonly handle: (job: Job<TData>) => unknown;
}): Promise<BullmqNestQueue<TData>> {
  const { queueName, handle } = options;
  const prefix = options.prefix.replace(/:$/, '');
  const connection = { host: options.redis.host, port: options.redis.port };

  @Processor(queueName, { concurrency: options.concurrency })
  class BenchProcessor extends WorkerHost {
    async process(job: Job<TData>): Promise<unknown> {
      return handle(job);
    }
  }

  @Injectable()
  class BenchClient {
    constructor(@Inject(getQueueToken(queueName)) readonly queue: Queue<TData>) {}
  }

  @Module({
    imports: [
      BullModule.forRoot({ connection, prefix }),
      BullModule.registerQueue({ name: queueName }),
    ],
    providers: [BenchProcessor, BenchClient],
  })
  class BenchBullModule {}

  const app: INestApplicationContext = await NestFactory.createApplicationContext(BenchBullModule, {
    logger: false,
  });
  await app.init();
  const queue = app.get(BenchClient).queue;
  await queue.waitUntilReady();
  await app.get(BenchProcessor).worker.waitUntilReady();

  return {
    queue,
    prefix,
    async close() {
      await queue.obliterate({ force: true });
      await app.close();
      await deleteKeysUnder(options.redis, prefix);
    },
  };
}
