import { describe, expect, it } from 'vitest';
import { RedisTransportError } from './errors/redis-transport-error.js';
import { RedisChannelStorage } from './redis-channel-storage.js';
import type { RedisChannelStorageOptions } from './redis-channel-storage-options.js';
import { TRIM_SETTLED, runScript } from './redis-scripts.js';
import { useRedisSpec } from './redis-server.spec-helper.js';
import { Channel } from '../core/channel/channel.js';
import type { ChannelEvent } from '../core/channel/channel-events.js';
import { eventually } from '../core/channel/channel-behaviour.spec-helper.js';
import { expectBalanced, newRun, outcome } from '../core/channel/channel.spec-helper.js';
import { handleChannel } from '../core/channel/handle-channel.js';
import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { TaskGroup } from '../core/group/task-group.js';

const spec = useRedisSpec('storage');
const { prefix } = spec;

/** A fresh channel name, so that tests never share a stream. */
function channelName(): string {
  return spec.freshName('shared');
}

/** One replica's channel: the channel `name` on Redis, as consumer `consumer`. */
function replica<TMessage, TReply = void>(
  name: string,
  consumer: string,
  options: Partial<RedisChannelStorageOptions> & { maxDeliveries?: number; capacity?: number } = {},
): Channel<TMessage, TReply> {
  const { maxDeliveries, capacity, ...storageOptions } = options;
  const channel = new Channel<TMessage, TReply>({
    name,
    maxDeliveries,
    capacity,
    redelivery: { minMs: 1, maxMs: 1 },
    storage: new RedisChannelStorage<TMessage>({
      connection: spec.redis.url,
      keyPrefix: prefix,
      consumer,
      blockMs: 50,
      claimIdleMs: 2_000,
      ...storageOptions,
    }),
  });
  spec.track(channel as unknown as Channel<unknown, unknown>);
  return channel;
}

/** The stream key of channel `name`. */
function streamOf(name: string): string {
  return `${prefix}{${name}}`;
}

describe('RedisChannelStorage', () => {
  describe('between replicas', () => {
    it('hands a request sent by one replica to another, and the reply back to the sender', async () => {
      const name = channelName();
      const requester = replica<{ a: number; b: number }, number>(name, 'requester');
      const worker = replica<{ a: number; b: number }, number>(name, 'worker');
      const group = new TaskGroup({
        name: 'adders',
        size: 2,
        task: handleChannel(worker, ({ a, b }) => a + b),
      });
      group.start();

      const replies = await Promise.all(
        [1, 2, 3].map((a) => requester.request({ a, b: 1 }, { timeoutMs: 5_000 })),
      );

      expect(replies).toEqual([2, 3, 4]);
      expect(requester.stats()).toMatchObject({ accepted: 3, published: 3, received: 0 });
      expect(worker.stats()).toMatchObject({ accepted: 0, received: 3, handled: 3 });
      expectBalanced(requester as Channel<unknown, unknown>);
      expectBalanced(worker as Channel<unknown, unknown>);
      await group.stop();
    });

    it('has a restarted replica take back its own pending entries first, with a delivery count of 2', async () => {
      const name = channelName();
      const stream = streamOf(name);
      await spec.raw.xgroup('CREATE', stream, 'stage', '0', 'MKSTREAM');
      await spec.raw.xadd(stream, '*', 'id', 'held-before-crash', 'body', '"old"');
      await spec.raw.xreadgroup('GROUP', 'stage', 'r1', 'COUNT', 1, 'STREAMS', stream, '>');
      await spec.raw.xadd(stream, '*', 'id', 'new', 'body', '"new"');

      const restarted = replica<string>(name, 'r1');
      const run = newRun();
      const first = await restarted.receive(run);
      const second = await restarted.receive(run);

      expect([first?.id, first?.body, first?.deliveryCount]).toEqual([
        'held-before-crash',
        'old',
        2,
      ]);
      expect([second?.id, second?.deliveryCount]).toEqual(['new', 1]);
      first?.ack();
      second?.ack();
      await eventually(async () => (await spec.raw.xpending(stream, 'stage'))[0] === 0);
    });

    it('hands out each of its own old pending entries once, even when they are idle past claimIdleMs', async () => {
      const name = channelName();
      const stream = streamOf(name);
      await spec.raw.xgroup('CREATE', stream, 'stage', '0', 'MKSTREAM');
      const total = 300;
      for (let n = 0; n < total; n++)
        await spec.raw.xadd(stream, '*', 'id', `m${n}`, 'body', `${n}`);
      // Consumer r1 read them all, then was killed; it comes back after claimIdleMs.
      await spec.raw.xreadgroup('GROUP', 'stage', 'r1', 'COUNT', total, 'STREAMS', stream, '>');
      await new Promise((resolve) => setTimeout(resolve, 150));
      const restarted = replica<number>(name, 'r1', { claimIdleMs: 100, reclaimIntervalMs: 20 });
      const handled = new Map<string, number[]>();
      const group = new TaskGroup({
        name: 'workers',
        task: handleChannel(restarted, async (_body, delivery) => {
          handled.set(delivery.id, [...(handled.get(delivery.id) ?? []), delivery.deliveryCount]);
          await new Promise((resolve) => setTimeout(resolve, 1));
        }),
      });
      group.start();

      await eventually(() => handled.size === total, 10_000, 'every message handled');
      await new Promise((resolve) => setTimeout(resolve, 200)); // time for a second copy to show
      await group.stop();

      const counts = new Set([...handled.values()].flat());
      const twice = [...handled].filter(([, deliveries]) => deliveries.length > 1);
      expect({ twice, counts: [...counts] }).toEqual({ twice: [], counts: [2] });
      expect(restarted.stats()).toMatchObject({ received: total, handled: total, duplicates: 0 });
    });

    it('dead-letters, never handing it out, a message whose holders all died maxDeliveries times', async () => {
      const name = channelName();
      const stream = streamOf(name);
      await spec.raw.xgroup('CREATE', stream, 'stage', '0', 'MKSTREAM');
      await spec.raw.xadd(stream, '*', 'id', 'kills-every-process', 'body', '"boom"');
      // Three replicas took it in turn and were killed while handling it: Redis counted 3.
      const read = (await spec.raw.xreadgroup(
        'GROUP',
        'stage',
        'dead-1',
        'COUNT',
        1,
        'STREAMS',
        stream,
        '>',
      )) as [string, [string, string[]][]][];
      const entryId = read[0]![1][0]![0];
      await spec.raw.call(
        'XCLAIM',
        stream,
        'stage',
        'dead-3',
        0,
        entryId,
        'IDLE',
        60_000,
        'RETRYCOUNT',
        3,
        'JUSTID',
      );
      const survivor = replica<string>(name, 'survivor', {
        maxDeliveries: 3,
        claimIdleMs: 100,
        reclaimIntervalMs: 20,
      });
      const handed: number[] = [];
      const group = new TaskGroup({
        name: 'workers',
        task: handleChannel(survivor, (_body, delivery) => {
          handed.push(delivery.deliveryCount);
        }),
      });
      group.start();

      await eventually(
        async () => (await spec.raw.xlen(`${stream}:dead`)) === 1,
        3_000,
        'a dead letter',
      );
      await group.stop();

      expect(handed).toEqual([]);
      expect(survivor.deadLetters()).toEqual([
        expect.objectContaining({
          id: 'kills-every-process',
          deliveryCount: 3,
          error: expect.objectContaining({ code: 'STAGE_DELIVERIES_EXHAUSTED' }),
        }),
      ]);
      expect(survivor.stats()).toMatchObject({ received: 1, deadLettered: 1, handled: 0 });
      expect((await spec.raw.xpending(stream, 'stage'))[0]).toBe(0);
    });

    it('claims entries idle past claimIdleMs from a dead consumer, with a delivery count of 2', async () => {
      const name = channelName();
      const stream = streamOf(name);
      await spec.raw.xgroup('CREATE', stream, 'stage', '0', 'MKSTREAM');
      await spec.raw.xadd(stream, '*', 'id', 'orphan', 'body', '"job"');
      await spec.raw.xreadgroup('GROUP', 'stage', 'dead', 'COUNT', 1, 'STREAMS', stream, '>');
      const alive = replica<string>(name, 'alive', { claimIdleMs: 100, reclaimIntervalMs: 20 });

      const delivery = await alive.receive(newRun());
      delivery?.ack();

      expect([delivery?.id, delivery?.deliveryCount]).toEqual(['orphan', 2]);
      await eventually(async () => (await spec.raw.xpending(stream, 'stage'))[0] === 0);
      expect(alive.stats()).toMatchObject({ received: 1, handled: 1, duplicates: 0 });
    });

    it('counts a late acknowledgement after a claim as a duplicate, never as a second handling', async () => {
      const name = channelName();
      const stream = streamOf(name);
      const slow = replica<string>(name, 'slow', { claimIdleMs: 60_000 });
      const fast = replica<string>(name, 'fast', { claimIdleMs: 100, reclaimIntervalMs: 20 });
      const events: ChannelEvent[] = [];
      slow.on((event) => events.push(event));
      await slow.send('job');
      const held = await slow.receive(newRun());

      const claimed = await fast.receive(newRun());
      expect([claimed?.id, claimed?.deliveryCount]).toEqual([held?.id, 2]);
      claimed?.ack();
      await eventually(async () => (await spec.raw.xpending(stream, 'stage'))[0] === 0);
      held?.ack();

      await eventually(() => slow.stats().duplicates === 1, 2_000, 'the late ack');
      expect(slow.stats()).toMatchObject({ handled: 1, duplicates: 1, received: 1 });
      expect(fast.stats()).toMatchObject({ handled: 1, duplicates: 0, received: 1 });
      expect(events).toContainEqual({ type: 'duplicate', channel: name, id: held?.id });
      const handledOnce = [slow, fast].reduce(
        (sum, channel) => sum + channel.stats().handled - channel.stats().duplicates,
        0,
      );
      expect(handledOnce).toBe(1);
      expectBalanced(slow as Channel<unknown, unknown>);
      expectBalanced(fast as Channel<unknown, unknown>);
    });

    it('records no dead letter, and replays none, for a late failure of a message another replica handled', async () => {
      const name = channelName();
      const stream = streamOf(name);
      const slow = replica<string>(name, 'slow', { claimIdleMs: 60_000, maxDeliveries: 1 });
      const fast = replica<string>(name, 'fast', { claimIdleMs: 100, reclaimIntervalMs: 20 });
      await slow.send('job');
      const held = await slow.receive(newRun());
      const claimed = await fast.receive(newRun());
      claimed?.ack();
      await eventually(async () => (await spec.raw.xpending(stream, 'stage'))[0] === 0);

      held?.fail(new Error('late failure')); // its last allowed delivery: it would dead-letter
      await eventually(() => slow.stats().duplicates === 1, 2_000, 'the late settle');
      const lengthBefore = await spec.raw.xlen(stream);
      const replayed = slow.replayDeadLetters();

      expect(await spec.raw.xlen(`${stream}:dead`)).toBe(0);
      expect(slow.deadLetters()).toEqual([]);
      expect(replayed).toEqual([]);
      expect(await spec.raw.xlen(stream)).toBe(lengthBefore);
      expect(slow.stats()).toMatchObject({ deadLettered: 0, handled: 1, duplicates: 1 });
      const handledOnce = [slow, fast].reduce(
        (sum, channel) => sum + channel.stats().handled - channel.stats().duplicates,
        0,
      );
      expect(handledOnce).toBe(1);
      expectBalanced(slow as Channel<unknown, unknown>);
      expectBalanced(fast as Channel<unknown, unknown>);
    });

    it('holds capacity approximately: a sender waits while the shared backlog is full, and gets in once another replica takes', async () => {
      const name = channelName();
      const producer = replica<number>(name, 'producer', { capacity: 3, capacityCheckMs: 10 });
      const consumer = replica<number>(name, 'consumer');
      producer.markStarted();
      for (const n of [1, 2, 3]) await producer.send(n);
      await eventually(() => producer.stats().published === 3);
      await new Promise((resolve) => setTimeout(resolve, 50));

      const waiting = outcome(producer.send(4));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(waiting.done).toBe(false);
      expect(producer.stats().waitingSenders).toBe(1);

      (await consumer.receive(newRun()))?.ack();

      await eventually(() => waiting.done, 2_000, 'the waiting sender');
      expect(typeof waiting.value).toBe('string');
    });

    it('dead-letters into the dead-letter stream, which another replica reads back', async () => {
      const name = channelName();
      const worker = replica<string>(name, 'worker', { maxDeliveries: 1 });
      const observer = replica<string>(name, 'observer', { claimIdleMs: 300 });
      const id = await worker.send('poison');
      (await worker.receive(newRun()))?.fail(new Error('always fails'));

      await eventually(async () => (await spec.raw.xlen(`${streamOf(name)}:dead`)) === 1);
      const [entry] = await spec.raw.xrange(`${streamOf(name)}:dead`, '-', '+');
      expect(entry?.[1]).toEqual(expect.arrayContaining(['id', id, 'body', '"poison"']));
      void observer.receive(newRun());
      await eventually(() => observer.deadLetters().length === 1, 2_000, 'the observer’s view');
      expect(observer.deadLetters()[0]).toMatchObject({ id, body: 'poison', deliveryCount: 1 });
      expect(observer.deadLetters()[0]?.error.message).toBe('always fails');
    });

    it('puts a dead letter that two replicas replay back once, withdrawing the later replay', async () => {
      const name = channelName();
      const first = replica<string>(name, 'first', { maxDeliveries: 1 });
      const second = replica<string>(name, 'second', { maxDeliveries: 1 });
      const id = await first.send('poison');
      (await first.receive(newRun()))?.fail(new Error('always fails'));
      void second.receive(newRun()).then((delivery) => delivery?.ack());
      await eventually(
        () => first.deadLetters().length === 1 && second.deadLetters().length === 1,
        2_000,
        'both replicas to see the letter',
      );
      const added = async (): Promise<number> => {
        const info = (await spec.raw.call('XINFO', 'STREAM', streamOf(name))) as unknown[];
        return Number(info[info.indexOf('entries-added') + 1]);
      };
      const before = await added();

      expect(first.replayDeadLetters()).toEqual([id]);
      second.replayDeadLetters();

      await eventually(() => second.stats().withdrawn === 1, 2_000, 'the later replay withdrawn');
      expect((await added()) - before).toBe(1);
      expect(first.stats()).toMatchObject({ replayed: 1, withdrawn: 0 });
      expectBalanced(second as Channel<unknown, unknown>);
    });

    it('rejects a request whose reply its serializer cannot decode, instead of leaving it waiting', async () => {
      const name = channelName();
      const picky = {
        encode: (value: unknown) => JSON.stringify(value),
        decode: (text: string): unknown => {
          if (text === '"reply"') throw new Error('cannot read replies');
          return JSON.parse(text) as unknown;
        },
      };
      const requester = replica<string, string>(name, 'requester', { serializer: picky });
      const worker = replica<string, string>(name, 'worker');
      const group = new TaskGroup({ name: 'w', task: handleChannel(worker, () => 'reply') });
      group.start();

      const reply = outcome(requester.request('question'));

      await eventually(() => reply.done, 2_000, 'the request to settle');
      expect(reply.error).toBeInstanceOf(RedisTransportError);
      expect((reply.error as Error).message).toContain('cannot read replies');
      await group.stop();
    });

    it('dead-letters an entry its serializer cannot read, so that it never blocks a consumer', async () => {
      const name = channelName();
      const stream = streamOf(name);
      await spec.raw.xgroup('CREATE', stream, 'stage', '0', 'MKSTREAM');
      await spec.raw.xadd(stream, '*', 'id', 'garbled', 'body', '{not json');
      await spec.raw.xadd(stream, '*', 'id', 'fine', 'body', '"ok"');
      const reader = replica<string>(name, 'reader');

      const delivery = await reader.receive(newRun());

      expect(delivery?.id).toBe('fine');
      expect(reader.deadLetters()).toMatchObject([{ id: 'garbled', body: '{not json' }]);
    });
  });

  describe('trimming', () => {
    it('trims with MINID below the oldest pending entry, never deleting it', async () => {
      const stream = streamOf(channelName());
      await spec.raw.xgroup('CREATE', stream, 'stage', '0', 'MKSTREAM');
      const ids: string[] = [];
      for (let index = 0; index < 400; index++)
        ids.push((await spec.raw.xadd(stream, '*', 'n', index))!);
      await spec.raw.xreadgroup('GROUP', 'stage', 'c', 'COUNT', 400, 'STREAMS', stream, '>');
      const pending = ids[300]!;
      await spec.raw.xack(stream, 'stage', ...ids.filter((id) => id !== pending));

      await runScript(spec.raw, TRIM_SETTLED, [stream], []);

      expect(await spec.raw.xlen(stream)).toBeLessThan(400);
      expect(await spec.raw.xrange(stream, pending, pending)).toHaveLength(1);
      expect((await spec.raw.xpending(stream, 'stage'))[0]).toBe(1);
    });

    it('keeps entries no consumer group has read yet', async () => {
      const stream = streamOf(channelName());
      await spec.raw.xgroup('CREATE', stream, 'stage', '0', 'MKSTREAM');
      for (let index = 0; index < 300; index++) await spec.raw.xadd(stream, '*', 'n', index);

      await runScript(spec.raw, TRIM_SETTLED, [stream], []);

      expect(await spec.raw.xlen(stream)).toBe(300);
    });
  });

  describe('what it does not support', () => {
    it('never accepts a trySend at once: acceptance needs the server', () => {
      const channel = replica<string>(channelName(), 'r');

      expect(channel.trySend('a')).toBe(false);
      expect(channel.stats().accepted).toBe(0);
    });

    it('refuses the drop-oldest overflow mode, naming the channel and the option', () => {
      const build = () =>
        new Channel({
          name: 'refused',
          overflow: 'drop-oldest',
          storage: new RedisChannelStorage({ connection: spec.redis.url }),
        });

      expect(build).toThrow(InvalidOptionError);
      expect(build).toThrow('Invalid option "overflow" for channel "refused"');
    });

    it('serves one channel only', () => {
      const storage = new RedisChannelStorage({ connection: spec.redis.url, keyPrefix: prefix });
      const first = new Channel({ name: 'first', storage });
      spec.track(first);

      expect(() => new Channel({ name: 'second', storage })).toThrow(/already used by channel/);
    });
  });
});
