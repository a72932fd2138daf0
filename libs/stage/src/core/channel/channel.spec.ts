import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { Channel } from './channel.js';
import type { ChannelOptions } from './channel-options.js';
import type { ChannelEvent } from './channel-events.js';
import { MemoryChannelStorage } from './memory-channel-storage.js';
import { newRun, expectBalanced, record, outcome } from './channel.spec-helper.js';
import { ChannelClosedError } from '../errors/channel-closed-error.js';
import { ChannelFullError } from '../errors/channel-full-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { isStageError } from '../errors/stage-error.js';

describe('Channel', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('constructor', () => {
    it('applies the defaults', () => {
      const channel = new Channel<string>({ name: 'jobs' });

      expect(channel.name).toBe('jobs');
      expect(channel.capacity).toBe(1024);
      expect(channel.overflow).toBe('wait');
      expect(channel.state).toEqual({ kind: 'not-started' });
    });

    it('rejects a missing or empty name', () => {
      expect(() => new Channel({ name: '' })).toThrow(InvalidOptionError);
      expect(() => new Channel({} as ChannelOptions<unknown>)).toThrow(/"name"/);
      expect(() => new Channel(null as unknown as ChannelOptions<unknown>)).toThrow(
        InvalidOptionError,
      );
    });

    it.each([
      [{ capacity: 0 }, 'capacity'],
      [{ capacity: 1.5 }, 'capacity'],
      [{ capacity: '8' }, 'capacity'],
      [{ overflow: 'block' }, 'overflow'],
      [{ maxDeliveries: 0 }, 'maxDeliveries'],
      [{ deadLetterCapacity: -1 }, 'deadLetterCapacity'],
      [{ drainTimeoutMs: Number.NaN }, 'drainTimeoutMs'],
      [{ redelivery: { minMs: -1 } }, 'redelivery.minMs'],
      [{ redelivery: { jitter: 2 } }, 'redelivery.jitter'],
      [{ storage: { append() {} } }, 'storage'],
      [{ storage: new MemoryChannelStorage(), deadLetterCapacity: 4 }, 'deadLetterCapacity'],
    ])('names the channel and the option for %j', (bad, option) => {
      const build = () => new Channel({ name: 'jobs', ...(bad as object) });

      expect(build).toThrow(InvalidOptionError);
      expect(build).toThrow(`Invalid option "${option}" for channel "jobs"`);
    });
  });

  describe('send', () => {
    it('resolves with a distinct id per message once accepted', async () => {
      const channel = new Channel<string>({ name: 'jobs' });

      const ids = await Promise.all([channel.send('a'), channel.send('b'), channel.send('c')]);

      expect(new Set(ids).size).toBe(3);
      expect(channel.stats()).toMatchObject({ accepted: 3, buffered: 3 });
      expectBalanced(channel);
    });

    it('draws ids that differ between two channels of the same name', async () => {
      const first = await new Channel<string>({ name: 'jobs' }).send('a');
      const second = await new Channel<string>({ name: 'jobs' }).send('a');

      expect(first).not.toBe(second);
    });

    it('buffers sends before consumers have started', async () => {
      const channel = new Channel<number>({ name: 'jobs', capacity: 2 });
      await channel.send(1);
      await channel.send(2);

      const delivery = await channel.receive(newRun());

      expect(delivery?.body).toBe(1);
    });

    it('waits for room once marked started, and gets in when a consumer takes a message', async () => {
      const channel = new Channel<number>({ name: 'jobs', capacity: 1 });
      channel.markStarted();
      await channel.send(1);

      const waiting = outcome(channel.send(2));
      await vi.advanceTimersByTimeAsync(0);
      expect(waiting.done).toBe(false);
      expect(channel.stats().waitingSenders).toBe(1);

      await channel.receive(newRun());
      await vi.advanceTimersByTimeAsync(0);

      expect(waiting.done).toBe(true);
      expect(typeof waiting.value).toBe('string');
      expect(channel.stats()).toMatchObject({ accepted: 2, buffered: 1, inFlight: 1 });
      expectBalanced(channel);
    });

    it('rejects at once with the reason of a signal that has already fired', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const reason = new Error('gone');

      await expect(channel.send('a', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(channel.stats().accepted).toBe(0);
    });

    it('does not listen to the signal of a send accepted at once', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const controller = new AbortController();

      await channel.send('a', { signal: controller.signal });

      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('drops the oldest buffered message in drop-oldest mode, counting and reporting the drop', async () => {
      const channel = new Channel<string>({ name: 'jobs', capacity: 2, overflow: 'drop-oldest' });
      const events = record(channel);
      const oldest = await channel.send('a');
      await channel.send('b');
      await channel.send('c');

      expect(events).toEqual([
        { type: 'dropped', channel: 'jobs', id: oldest, overflow: 'drop-oldest' },
      ]);
      const run = newRun();
      expect((await channel.receive(run))?.body).toBe('b');
      expect((await channel.receive(run))?.body).toBe('c');
      expect(channel.stats()).toMatchObject({ accepted: 3, dropped: 1 });
      expectBalanced(channel);
    });

    it('rejects a request dropped by drop-oldest instead of leaving it hanging', async () => {
      const channel = new Channel<string, string>({
        name: 'jobs',
        capacity: 1,
        overflow: 'drop-oldest',
      });
      const dropped = channel.request('a');
      await channel.send('b');

      await expect(dropped).rejects.toThrow(ChannelFullError);
      expect(channel.stats()).toMatchObject({ accepted: 2, dropped: 1 });
      expectBalanced(channel);
    });

    it('lets a send in once a consumer was attached, even without markStarted', async () => {
      const channel = new Channel<number>({ name: 'jobs', capacity: 1 });
      channel.consume(newRun());
      await channel.send(1);

      const waiting = outcome(channel.send(2));
      await vi.advanceTimersByTimeAsync(0);

      expect(channel.state.kind).toBe('open');
      expect(waiting.done).toBe(false);
    });
  });

  describe('trySend', () => {
    it('accepts a message at once while there is room', async () => {
      const channel = new Channel<string>({ name: 'jobs', capacity: 2 });

      expect(channel.trySend('a')).toBe(true);

      expect(channel.stats()).toMatchObject({ accepted: 1, buffered: 1 });
      const delivery = await channel.receive(newRun());
      expect(delivery?.id).toMatch(/^[\w-]+-1$/);
      expect(delivery?.id).toBe(delivery?.id);
    });

    it.each(['wait', 'reject'] as const)(
      'accepts nothing and returns undefined when full in %s mode',
      async (overflow) => {
        const channel = new Channel<string>({ name: 'jobs', capacity: 1, overflow });
        channel.markStarted();
        channel.trySend('a');

        expect(channel.trySend('b')).toBe(false);
        expect(channel.stats()).toMatchObject({ accepted: 1, waitingSenders: 0 });
      },
    );

    it('applies a drop mode when full, reporting the drop', () => {
      const channel = new Channel<string>({ name: 'jobs', capacity: 1, overflow: 'drop-newest' });
      channel.trySend('a');

      expect(channel.trySend('b')).toBe(true);
      expect(channel.stats()).toMatchObject({ accepted: 2, dropped: 1, buffered: 1 });
    });

    it('does not jump the queue of senders waiting for room', async () => {
      const channel = new Channel<string>({ name: 'jobs', capacity: 16 });
      channel.markStarted();
      for (let index = 0; index < 16; index++) channel.trySend(`m${index}`);
      void channel.send('waiting');
      await channel.receive(newRun());

      expect(channel.trySend('late')).toBe(false);
    });

    it('throws the closed error once close() has been called', () => {
      const channel = new Channel<string>({ name: 'jobs' });
      void channel.close();

      expect(() => channel.trySend('late')).toThrow(ChannelClosedError);
    });
  });

  describe('backpressure', () => {
    it('lets waiting senders in once the buffer has drained by an eighth of its capacity', async () => {
      const channel = new Channel<number>({ name: 'jobs', capacity: 16 });
      channel.markStarted();
      for (let index = 0; index < 16; index++) await channel.send(index);
      const waiting = [
        outcome(channel.send(16)),
        outcome(channel.send(17)),
        outcome(channel.send(18)),
      ];
      const run = newRun();

      await channel.receive(run);
      await vi.advanceTimersByTimeAsync(0);
      expect(waiting.map((sender) => sender.done)).toEqual([false, false, false]);

      await channel.receive(run);
      await vi.advanceTimersByTimeAsync(0);
      expect(waiting.map((sender) => sender.done)).toEqual([true, true, false]);
      expect(channel.stats()).toMatchObject({ buffered: 16, waitingSenders: 1 });
      expectBalanced(channel);
    });
  });

  describe('storage', () => {
    class DurableStorage<TMessage> extends MemoryChannelStorage<TMessage> {
      override readonly durable: boolean = true;
    }

    it('leaves one-way messages stored at close on a durable storage, and still returns requests', async () => {
      const channel = new Channel<string, string>({ name: 'jobs', storage: new DurableStorage() });
      await channel.send('kept');
      const request = channel.request('returned');
      const assertion = expect(request).rejects.toThrow(ChannelClosedError);

      const report = await channel.close();

      await assertion;
      expect(report).toMatchObject({ stored: 1, returned: 1, deadLettered: 0 });
      expect(channel.stats()).toMatchObject({ stored: 1, withdrawn: 1, buffered: 0 });
      expect(channel.deadLetters()).toEqual([]);
      expectBalanced(channel);
    });
  });

  describe('types', () => {
    it('is assignable to a channel of unknown messages and replies', () => {
      expectTypeOf<Channel<{ a: number }, string>>().toExtend<Channel<unknown, unknown>>();
      expectTypeOf<Channel<number>['request']>().returns.toEqualTypeOf<Promise<void>>();
    });
  });

  describe('close', () => {
    it('rejects a send made while the channel is draining', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      channel.markStarted();
      await channel.send('buffered');
      void channel.close({ timeoutMs: 1000 });

      expect(channel.state.kind).toBe('closing');
      await expect(channel.send('late')).rejects.toThrow(ChannelClosedError);
    });

    it('closes at once when consumers never started, dead-lettering one-way messages and returning requests', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });
      const oneWay = await channel.send('one-way');
      const request = channel.request('request');

      const report = await channel.close();

      expect(report).toEqual({
        drained: false,
        returned: 1,
        deadLettered: 1,
        stored: 0,
        inFlight: 0,
      });
      await expect(request).rejects.toThrow(ChannelClosedError);
      const [letter] = channel.deadLetters();
      expect(letter?.id).toBe(oneWay);
      expect(isStageError(letter?.error, 'STAGE_CLOSED_BEFORE_DELIVERY')).toBe(true);
      expect(channel.stats()).toMatchObject({ accepted: 2, withdrawn: 1, deadLettered: 1 });
      expectBalanced(channel);
    });

    it('lets consumers drain what is buffered within the deadline', async () => {
      const channel = new Channel<number>({ name: 'jobs' });
      const run = newRun();
      const handled: number[] = [];
      const consuming = (async () => {
        for await (const delivery of channel.consume(run)) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          handled.push(delivery.body);
        }
      })();
      for (const body of [1, 2, 3]) await channel.send(body);

      const closing = channel.close({ timeoutMs: 1000 });
      await vi.advanceTimersByTimeAsync(100);

      await expect(closing).resolves.toEqual({
        drained: true,
        returned: 0,
        deadLettered: 0,
        stored: 0,
        inFlight: 0,
      });
      await consuming;
      expect(handled).toEqual([1, 2, 3]);
      expect(channel.state.kind).toBe('closed');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('returns or dead-letters what is left at the deadline, and settles what is in flight later', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });
      const events = record(channel);
      const run = newRun();
      await channel.send('held');
      const held = await channel.receive(run);
      await channel.send('left');
      const request = outcome(channel.request('left request'));

      const closing = channel.close({ timeoutMs: 50 });
      await vi.advanceTimersByTimeAsync(50);

      const report = await closing;
      expect(report).toEqual({
        drained: false,
        returned: 1,
        deadLettered: 1,
        stored: 0,
        inFlight: 1,
      });
      expect(isStageError(request.error, 'STAGE_CHANNEL_CLOSED')).toBe(true);
      expect(events.map((event) => event.type)).toEqual([
        'closing',
        'dead-lettered',
        'withdrawn',
        'closed',
      ]);

      held!.fail(new Error('too late'));

      const letters = channel.deadLetters();
      expect(letters).toHaveLength(2);
      expect(isStageError(letters[1]?.error, 'STAGE_CLOSED_BEFORE_DELIVERY')).toBe(true);
      expect((letters[1]?.error as Error).cause).toEqual(new Error('too late'));
      expect(channel.stats()).toMatchObject({ inFlight: 0, deadLettered: 2, withdrawn: 1 });
      expectBalanced(channel);
    });

    it('counts a message handled after the deadline as handled', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      await channel.send('held');
      const held = await channel.receive(newRun());

      const closing = channel.close({ timeoutMs: 5 });
      await vi.advanceTimersByTimeAsync(5);
      await closing;
      held!.ack();

      expect(channel.stats()).toMatchObject({ handled: 1, inFlight: 0 });
      expectBalanced(channel);
    });

    it('returns the first report to every later call', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const first = channel.close();
      const second = channel.close({ timeoutMs: 1 });

      expect(await second).toBe(await first);
      expect(await channel.close()).toBe(await first);
    });

    it('rejects a bad timeoutMs with InvalidOptionError and stays open', async () => {
      const channel = new Channel<string>({ name: 'jobs' });

      await expect(channel.close({ timeoutMs: -1 })).rejects.toThrow(InvalidOptionError);
      expect(channel.state.kind).toBe('not-started');
    });

    it('leaves no timer behind once drained', async () => {
      const channel = new Channel<string>({ name: 'jobs', redelivery: { minMs: 1000 } });
      await channel.send('fails');
      const delivery = await channel.receive(newRun());
      delivery!.fail(new Error('boom'));
      expect(vi.getTimerCount()).toBe(1);

      const closing = channel.close({ timeoutMs: 10 });
      await vi.advanceTimersByTimeAsync(10);
      await closing;

      expect(vi.getTimerCount()).toBe(0);
      expect(channel.stats()).toMatchObject({ delayed: 0, deadLettered: 1 });
    });

    it('reports a storage that fails to close, and still completes', async () => {
      const storage = new MemoryChannelStorage<string>();
      storage.close = () => Promise.reject(new Error('disk gone'));
      const channel = new Channel<string>({ name: 'jobs', storage });
      const events = record(channel);

      await channel.close();

      expect(events.at(-1)).toMatchObject({
        type: 'storage-failed',
        error: new Error('disk gone'),
      });
    });
  });

  describe('on', () => {
    it('rejects a listener that is not a function, naming the channel', () => {
      const channel = new Channel<string>({ name: 'jobs' });

      expect(() => channel.on('log' as never)).toThrow(
        'Invalid option "listener" for channel "jobs": expected a function, received "log".',
      );
    });

    it('reports a listener that throws as hook-failed and carries on', async () => {
      const channel = new Channel<string>({ name: 'jobs', capacity: 1, overflow: 'drop-newest' });
      const seen: ChannelEvent[] = [];
      channel.on(() => {
        throw new Error('listener bug');
      });
      channel.on((event) => seen.push(event));
      await channel.send('a');

      await channel.send('b');

      expect(seen.map((event) => event.type)).toEqual(['dropped', 'hook-failed']);
      expect(seen[1]).toMatchObject({ hook: 'listener', error: new Error('listener bug') });
      expect(channel.stats()).toMatchObject({ accepted: 2, dropped: 1 });
    });

    it('does not report again a listener that throws on hook-failed', async () => {
      const channel = new Channel<string>({ name: 'jobs', capacity: 1, overflow: 'drop-newest' });
      const listener = vi.fn((_event: ChannelEvent): void => {
        throw new Error('always');
      });
      channel.on(listener);
      await channel.send('a');

      await channel.send('b');

      expect(listener.mock.calls.map(([event]) => event.type)).toEqual(['dropped', 'hook-failed']);
    });

    it('reports a redelivery random source that throws, and waits the shortest delay', async () => {
      const channel = new Channel<string>({
        name: 'jobs',
        redelivery: {
          minMs: 100,
          random: () => {
            throw new Error('no entropy');
          },
        },
      });
      const events = record(channel);
      await channel.send('a');

      (await channel.receive(newRun()))!.fail(new Error('boom'));

      expect(events.map((event) => event.type)).toEqual(['hook-failed', 'redelivered']);
      expect(events[0]).toMatchObject({ hook: 'redelivery.random' });
      expect(events[1]).toMatchObject({ delayMs: 100 });
    });

    it('stops calling a listener once unsubscribed', async () => {
      const channel = new Channel<string>({ name: 'jobs', capacity: 1, overflow: 'drop-newest' });
      const listener = vi.fn();
      const unsubscribe = channel.on(listener);
      await channel.send('a');
      unsubscribe();
      unsubscribe();

      await channel.send('b');

      expect(listener).not.toHaveBeenCalled();
    });
  });
});
