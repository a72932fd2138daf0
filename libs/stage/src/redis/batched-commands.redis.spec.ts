import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisTransportError } from './errors/redis-transport-error.js';
import { RedisChannelStorage } from './redis-channel-storage.js';
import type { RedisChannelStorageOptions } from './redis-channel-storage-options.js';
import { ACK_EACH, ADD_EACH } from './redis-scripts.js';
import type { LuaScript } from './redis-scripts.js';
import { useRedisSpec } from './redis-server.spec-helper.js';
import { Channel } from '../core/channel/channel.js';
import { eventually } from '../core/channel/channel-behaviour.spec-helper.js';
import { expectBalanced, newRun, outcome } from '../core/channel/channel.spec-helper.js';
import type { Delivery } from '../core/channel/delivery.js';

/** The clients of the test's own; disconnected once its channels have closed. */
let clients: Redis[] = [];

// Registered before the spec's own hooks, so that it runs after them (hooks unwind as a stack).
afterEach(() => {
  for (const client of clients) client.disconnect();
  clients = [];
});

const spec = useRedisSpec('batched');
const { prefix } = spec;

/**
 * One replica's channel on Redis, on a client of the test's own so that its commands can be
 * counted: `calls(script)` says how many times the storage sent `script` (`EVALSHA`).
 */
function replica<TMessage>(
  name: string,
  consumer: string,
  options: Partial<RedisChannelStorageOptions> & { capacity?: number } = {},
): { channel: Channel<TMessage>; calls: (script: LuaScript) => number } {
  const { capacity, ...storageOptions } = options;
  const client = new Redis(spec.redis.url);
  clients.push(client);
  const sent = vi.spyOn(client, 'sendCommand');
  const channel = new Channel<TMessage>({
    name,
    capacity,
    redelivery: { minMs: 1, maxMs: 1 },
    storage: new RedisChannelStorage<TMessage>({
      client,
      keyPrefix: prefix,
      consumer,
      blockMs: 50,
      ...storageOptions,
    }),
  });
  spec.track(channel as unknown as Channel<unknown, unknown>);
  const calls = (script: LuaScript): number =>
    sent.mock.calls.filter(
      ([command]) => command.name === 'evalsha' && command.args[0] === script.sha,
    ).length;
  return { channel, calls };
}

function channelName(): string {
  return spec.freshName('batched');
}

function streamOf(name: string): string {
  return `${prefix}{${name}}`;
}

/** Receives `count` deliveries on one run of a consumer outside a group. */
async function receiveAll<TMessage>(
  channel: Channel<TMessage>,
  count: number,
): Promise<Delivery<TMessage, void>[]> {
  const run = newRun();
  const deliveries: Delivery<TMessage, void>[] = [];
  while (deliveries.length < count) {
    const delivery = await channel.receive(run);
    if (delivery === undefined) throw new Error('the channel closed');
    deliveries.push(delivery);
  }
  return deliveries;
}

describe('RedisChannelStorage', () => {
  describe('sending', () => {
    it('appends the messages sent in one turn with one script call, each confirmed', async () => {
      const name = channelName();
      const { channel, calls } = replica<number>(name, 'producer');
      await channel.send(0);
      const before = calls(ADD_EACH);

      const ids = await Promise.all(Array.from({ length: 20 }, (_, n) => channel.send(n + 1)));

      expect(calls(ADD_EACH) - before).toBe(1);
      expect(new Set(ids).size).toBe(20);
      expect(await spec.raw.xlen(streamOf(name))).toBe(21);
      expect(channel.stats()).toMatchObject({ accepted: 21, published: 21, withdrawn: 0 });
    });

    it('rejects each send Redis refuses with RedisTransportError, counted as withdrawn', async () => {
      const name = channelName();
      const { channel } = replica<string>(name, 'producer');
      await channel.send('stored');
      await spec.raw.del(streamOf(name));
      await spec.raw.set(streamOf(name), 'not a stream');

      const refused = await Promise.allSettled([channel.send('a'), channel.send('b')]);

      for (const result of refused) {
        expect(result.status).toBe('rejected');
        const error = result.status === 'rejected' ? (result.reason as Error) : undefined;
        expect(error).toBeInstanceOf(RedisTransportError);
        expect((error?.cause as Error | undefined)?.message).toMatch(/WRONGTYPE/);
      }
      expect(channel.stats()).toMatchObject({ accepted: 3, published: 1, withdrawn: 2 });
      expectBalanced(channel as Channel<unknown, unknown>);
      await spec.raw.del(streamOf(name));
    });

    it('lets a waiting sender in as soon as this replica reads, without waiting for the backlog check', async () => {
      const name = channelName();
      const { channel } = replica<number>(name, 'both', { capacity: 2, capacityCheckMs: 60_000 });
      channel.markStarted();
      await channel.send(1);
      await channel.send(2);
      const waiting = outcome(channel.send(3));
      await eventually(() => channel.stats().waitingSenders === 1, 1_000, 'the sender to wait');

      (await channel.receive(newRun()))?.ack();

      await eventually(() => waiting.done, 2_000, 'the waiting sender');
      expect(typeof waiting.value).toBe('string');
    });
  });

  describe('acknowledging', () => {
    it('acknowledges the deliveries settled in one turn with one script call', async () => {
      const name = channelName();
      const { channel, calls } = replica<number>(name, 'consumer', { prefetch: 5 });
      for (const n of [1, 2, 3, 4, 5]) await channel.send(n);
      const deliveries = await receiveAll(channel, 5);

      for (const delivery of deliveries) delivery.ack();

      await eventually(async () => (await spec.raw.xpending(streamOf(name), 'stage'))[0] === 0);
      expect(calls(ACK_EACH)).toBe(1);
      expect(channel.stats()).toMatchObject({ received: 5, handled: 5, duplicates: 0 });
    });

    it('counts as a duplicate only the entry of a batch that another replica had already settled', async () => {
      const name = channelName();
      const stream = streamOf(name);
      const slow = replica<string>(name, 'slow', { claimIdleMs: 60_000, prefetch: 1 });
      const fast = replica<string>(name, 'fast', { claimIdleMs: 100, reclaimIntervalMs: 20 });
      await slow.channel.send('claimed');
      await slow.channel.send('kept');
      const held = await receiveAll(slow.channel, 2);

      const claimed = await fast.channel.receive(newRun());
      expect(claimed?.body).toBe('claimed');
      claimed?.ack();
      await eventually(async () => (await spec.raw.xpending(stream, 'stage'))[0] === 1);
      for (const delivery of held) delivery.ack();

      await eventually(async () => (await spec.raw.xpending(stream, 'stage'))[0] === 0);
      await eventually(() => slow.channel.stats().duplicates === 1, 2_000, 'the late ack');
      expect(slow.calls(ACK_EACH)).toBe(1);
      expect(slow.channel.stats()).toMatchObject({ handled: 2, duplicates: 1 });
      expect(fast.channel.stats()).toMatchObject({ handled: 1, duplicates: 0 });
    });

    it('sends the acknowledgements of the closing turn before closing, leaving nothing pending', async () => {
      const name = channelName();
      const { channel } = replica<number>(name, 'consumer', { prefetch: 2 });
      for (const n of [1, 2, 3]) await channel.send(n);
      const deliveries = await receiveAll(channel, 3);

      for (const delivery of deliveries) delivery.ack();
      const report = await channel.close({ timeoutMs: 100 });

      expect(report).toMatchObject({ unacknowledged: 0, inFlight: 0 });
      expect((await spec.raw.xpending(streamOf(name), 'stage'))[0]).toBe(0);
    });
  });
});
