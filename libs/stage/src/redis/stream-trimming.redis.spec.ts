import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisChannelStorage } from './redis-channel-storage.js';
import { deleteKeys, testRedis, uniquePrefix } from './redis-server.spec-helper.js';
import type { TestRedis } from './redis-server.spec-helper.js';
import { Channel } from '../core/channel/channel.js';
import type { ChannelOptions } from '../core/channel/channel-options.js';
import { eventually } from '../core/channel/channel-behaviour.spec-helper.js';
import { expectBalanced } from '../core/channel/channel.spec-helper.js';
import { handleChannel } from '../core/channel/handle-channel.js';
import type { ChannelHandler } from '../core/channel/handle-channel.js';
import { TaskGroup } from '../core/group/task-group.js';

const prefix = uniquePrefix('trimming');
let redis: TestRedis;
let raw: Redis;
/** How many entries a node of a stream holds: `XTRIM MINID ~` trims whole nodes only. */
let nodeEntries: number;
let opened: Channel<unknown, unknown>[] = [];
let groups: TaskGroup[] = [];
let counter = 0;

beforeAll(async () => {
  redis = await testRedis();
  raw = new Redis(redis.url);
  const [, value] = (await raw.call('CONFIG', 'GET', 'stream-node-max-entries')) as string[];
  nodeEntries = Number(value);
});

afterEach(async () => {
  await Promise.all(opened.map((channel) => channel.close({ timeoutMs: 200 })));
  await Promise.all(groups.map((group) => group.stop({ timeoutMs: 200 })));
  opened = [];
  groups = [];
});

afterAll(async () => {
  await deleteKeys(redis.url, prefix);
  raw.disconnect();
  await redis.stop();
});

/** How often the storages here renew, claim and trim. */
const RECLAIM_MS = 20;

/** A channel on Redis that renews, claims and trims every `RECLAIM_MS`, and its stream's key. */
function trimmedChannel(options: Pick<ChannelOptions<number>, 'capacity'> = {}): {
  channel: Channel<number>;
  stream: string;
} {
  const name = `trimming-${++counter}`;
  const channel = new Channel<number>({
    name,
    ...options,
    storage: new RedisChannelStorage<number>({
      connection: redis.url,
      keyPrefix: prefix,
      blockMs: 50,
      prefetch: 20,
      reclaimIntervalMs: RECLAIM_MS,
    }),
  });
  opened.push(channel);
  return { channel, stream: `${prefix}{${name}}` };
}

/** Starts a handler-mode group of `size` tasks on `channel`. */
function consumers(
  channel: Channel<number>,
  handler: ChannelHandler<number, void>,
  size = 4,
): void {
  const group = new TaskGroup({ name: 'trimmed', size, task: handleChannel(channel, handler) });
  groups.push(group);
  group.start();
}

/** Sends `count` messages numbered from `from`, fifty at a time. */
async function sendAll(channel: Channel<number>, from: number, count: number): Promise<void> {
  for (let start = from; start < from + count; start += 50) {
    const batch = Array.from({ length: Math.min(50, from + count - start) }, (_, n) => start + n);
    await Promise.all(batch.map((n) => channel.send(n)));
  }
}

/**
 * Samples the stream every few ms until `stop()`: its greatest length, and every pending entry
 * it found missing from the stream (the oldest pending entry is read each time).
 */
function sampleStream(stream: string): {
  stop(): Promise<{ longest: number; missingPending: string[] }>;
} {
  let sampling = true;
  let longest = 0;
  const missingPending: string[] = [];
  const loop = (async () => {
    while (sampling) {
      const [length, pending] = await Promise.all([
        raw.xlen(stream),
        raw.xpending(stream, 'stage').catch(() => [0]),
      ]);
      longest = Math.max(longest, length);
      const [count, oldest] = pending as [number, string | null];
      if (count > 0 && oldest !== null && (await raw.xrange(stream, oldest, oldest)).length === 0) {
        // Acknowledged meanwhile, or trimmed while pending: only the second stays pending.
        const still = (await raw.xpending(stream, 'stage', oldest, oldest, 1)) as unknown[];
        if (still.length > 0) missingPending.push(oldest);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
      return { longest, missingPending };
    },
  };
}

describe('RedisChannelStorage', () => {
  describe('periodic trimming', () => {
    it('keeps the stream near what is not settled yet through a long run, never deleting a pending entry', async () => {
      const capacity = 100;
      const total = 10_000;
      const { channel, stream } = trimmedChannel({ capacity });
      const handled = new Set<number>();
      consumers(channel, (n) => {
        handled.add(n);
      });
      const sampler = sampleStream(stream);
      const started = performance.now();

      await sendAll(channel, 0, total);
      await eventually(() => handled.size === total, 20_000, 'every message handled');
      const perMs = total / (performance.now() - started);
      const { longest, missingPending } = await sampler.stop();

      // What is not settled (the shared backlog, about `capacity`, and what the replica holds:
      // its consumers and prefetch), what is acknowledged between two trims (a tick every
      // RECLAIM_MS, which a busy event loop may delay: three allowed), and the node that an
      // approximate trim leaves.
      const bound = capacity + 4 + 20 + 3 * perMs * RECLAIM_MS + nodeEntries;
      expect(longest).toBeLessThanOrEqual(bound);
      expect(longest).toBeLessThan(total / 4);
      expect(missingPending).toEqual([]);
      expect(channel.stats()).toMatchObject({ received: total, handled: total, deadLettered: 0 });
      await eventually(
        async () => (await raw.xlen(stream)) <= nodeEntries,
        2_000,
        'the stream to be trimmed once the run is over',
      );
      expectBalanced(channel);
    });

    it('never trims past an entry that stays pending, and trims up to it', async () => {
      const { channel, stream } = trimmedChannel({ capacity: 1_000 });
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const handled = new Set<number>();
      consumers(channel, async (n) => {
        if (n === 500) await released; // held, pending and renewed, until the end of the run
        handled.add(n);
      });
      await sendAll(channel, 0, 500);
      await eventually(() => handled.size === 500, 10_000, 'the messages before it');
      const heldId = await channel.send(500);
      await sendAll(channel, 501, 2_000);
      await eventually(() => handled.size === 2_500, 20_000, 'the messages after it');
      await new Promise((resolve) => setTimeout(resolve, 100)); // several trims

      const [, oldestPending] = (await raw.xpending(stream, 'stage')) as [number, string];
      const held = await raw.xrange(stream, oldestPending, oldestPending);
      expect(held[0]?.[1]).toEqual(expect.arrayContaining(['id', heldId]));
      const length = await raw.xlen(stream);
      expect(length).toBeGreaterThan(2_000); // everything after the held entry stays
      expect(length).toBeLessThanOrEqual(2_001 + nodeEntries); // everything before it went

      release();

      await eventually(() => handled.size === 2_501, 2_000, 'the held message');
      await eventually(
        async () => (await raw.xlen(stream)) <= nodeEntries,
        2_000,
        'the stream to be trimmed once it is settled',
      );
      expect(channel.stats()).toMatchObject({ handled: 2_501, deadLettered: 0 });
      expectBalanced(channel);
    });
  });
});
