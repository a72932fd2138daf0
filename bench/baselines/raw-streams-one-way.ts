import { Redis } from 'ioredis';
import { BatchCounter } from '../harness/batch-counter.js';
import type { Contender } from '../harness/contender.js';
import { deleteKeysUnder, uniqueKeyPrefix, type RedisAddress } from '../harness/redis-run-keys.js';

/** The consumer group and consumer of the raw loop. */
const GROUP = 'bench';
const CONSUMER = 'raw';

/** How long one blocking read waits when the stream is empty, in ms (bounds the close). */
const BLOCK_MS = 100;

/**
 * One-way adder messages over bare Redis Streams commands with ioredis pipelines, as a competent
 * engineer writes it without any guarantee beyond the commands' own: the producer sends chunks of
 * `chunk` `XADD`s, one pipeline per chunk, awaiting each; one consumer loop reads up to `chunk`
 * entries with `XREADGROUP ... BLOCK`, adds `a + b` up, and acknowledges the whole read with one
 * `XACK` sent in the same pipeline as its next read. No trimming, no reclaiming, no redelivery,
 * no backpressure, no ledger. The upper bound of the Redis Streams channel's one-way row.
 *
 * A batch ends when the consumer has handled its last entry.
 */
export function rawStreamsOneWay(options: {
  readonly opsPerBatch: number;
  /** Entries per `XADD` pipeline and per `XREADGROUP`. */
  readonly chunk: number;
  readonly redis: RedisAddress;
}): Contender {
  return {
    label: `raw XADD/XREADGROUP/XACK, pipelines of ${options.chunk}`,
    opsPerBatch: options.opsPerBatch,
    async open() {
      const prefix = uniqueKeyPrefix('raw-streams');
      const stream = `${prefix}stream`;
      const address = { host: options.redis.host, port: options.redis.port };
      const producer = new Redis(address);
      const consumer = new Redis(address);
      await producer.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM');

      const counter = new BatchCounter();
      let sum = 0;
      let stopping = false;
      const consume = async (): Promise<void> => {
        let toAck: string[] = [];
        while (!stopping) {
          const reads = consumer.pipeline();
          if (toAck.length > 0) reads.xack(stream, GROUP, ...toAck);
          reads.xreadgroup(
            'GROUP',
            GROUP,
            CONSUMER,
            'COUNT',
            options.chunk,
            'BLOCK',
            BLOCK_MS,
            'STREAMS',
            stream,
            '>',
          );
          const replies = checked(await reads.exec());
          toAck = [];
          for (const [id, fields] of streamEntries(replies[replies.length - 1])) {
            const { a, b } = JSON.parse(fields[1]) as { a: number; b: number };
            sum += a + b;
            toAck.push(id);
            counter.tick();
          }
        }
        if (toAck.length > 0) await consumer.xack(stream, GROUP, ...toAck);
      };
      const consuming = consume();
      // Surfaced by `close`; a failed read also leaves the batch unfinished.
      consuming.catch(() => undefined);

      return {
        async runBatch() {
          const done = counter.expect(options.opsPerBatch);
          for (let start = 0; start < options.opsPerBatch; start += options.chunk) {
            const writes = producer.pipeline();
            const end = Math.min(start + options.chunk, options.opsPerBatch);
            for (let index = start; index < end; index += 1) {
              writes.xadd(stream, '*', 'body', JSON.stringify({ a: index, b: 1 }));
            }
            checked(await writes.exec());
          }
          await done;
        },
        async close() {
          stopping = true;
          try {
            await consuming;
            const pending = (await producer.xpending(stream, GROUP)) as [number, ...unknown[]];
            if (counter.strays !== 0 || sum < 0 || Number(pending[0]) !== 0) {
              throw new Error(`raw streams: ${counter.strays} strays, ${pending[0]} pending`);
            }
          } finally {
            producer.disconnect();
            consumer.disconnect();
            await deleteKeysUnder(options.redis, prefix);
          }
        },
      };
    },
  };
}

/** The replies of a pipeline, after throwing the first command error. */
function checked(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw new Error('raw streams: pipeline discarded');
  return results.map(([error, reply]) => {
    if (error !== null) throw error;
    return reply;
  });
}

/** The entries of an `XREADGROUP` reply on one stream (none when it timed out). */
function streamEntries(reply: unknown): [string, string[]][] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const [[, entries]] = reply as [[string, [string, string[]][]]];
  return entries;
}
