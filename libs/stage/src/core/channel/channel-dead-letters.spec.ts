import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Channel } from './channel.js';
import type { ChannelEvent } from './channel-events.js';
import { newRun, expectBalanced } from './channel.spec-helper.js';
import { ChannelClosedError } from '../errors/channel-closed-error.js';

/** Sends `bodies` and fails each once, with `maxDeliveries: 1`, so that each is dead-lettered. */
async function deadLetter(channel: Channel<string>, bodies: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  const run = newRun();
  for (const body of bodies) {
    ids.push(await channel.send(body));
    (await channel.receive(run))!.fail(new Error(`failed ${body}`));
  }
  return ids;
}

describe('Channel', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('deadLetters', () => {
    it('keeps each dead letter with its body, id, delivery count, last error and time', async () => {
      const channel = new Channel<string>({ name: 'jobs', maxDeliveries: 1 });

      const [id] = await deadLetter(channel, ['a']);

      expect(channel.deadLetters()).toEqual([
        { id, body: 'a', deliveryCount: 1, error: new Error('failed a'), at: 1_000 },
      ]);
      expect(channel.stats()).toMatchObject({ deadLettered: 1, deadLetters: 1 });
    });

    it('evicts the oldest dead letter when full, counting and reporting it', async () => {
      const channel = new Channel<string>({
        name: 'jobs',
        maxDeliveries: 1,
        deadLetterCapacity: 2,
      });
      const events: ChannelEvent[] = [];
      channel.on((event) => events.push(event));

      const [first] = await deadLetter(channel, ['a', 'b', 'c']);

      expect(channel.deadLetters().map((letter) => letter.body)).toEqual(['b', 'c']);
      expect(channel.stats()).toMatchObject({
        deadLettered: 3,
        deadLettersEvicted: 1,
        deadLetters: 2,
      });
      const evicted = events.filter((event) => event.type === 'dead-letter-evicted');
      expect(evicted).toHaveLength(1);
      expect(evicted[0]).toMatchObject({ letter: { id: first, body: 'a' } });
      expectBalanced(channel);
    });

    it('returns a snapshot that later dead letters do not change', async () => {
      const channel = new Channel<string>({ name: 'jobs', maxDeliveries: 1 });
      await deadLetter(channel, ['a']);
      const snapshot = channel.deadLetters();

      await deadLetter(channel, ['b']);

      expect(snapshot).toHaveLength(1);
    });
  });

  describe('replayDeadLetters', () => {
    it('puts dead letters back with their ids and a reset delivery count, counted as re-accepted', async () => {
      const channel = new Channel<string>({
        name: 'jobs',
        maxDeliveries: 2,
        redelivery: { minMs: 0 },
      });
      const id = await channel.send('poison');
      const run = newRun();
      (await channel.receive(run))!.fail(new Error('one'));
      (await channel.receive(run))!.fail(new Error('two'));
      expect(channel.stats()).toMatchObject({ accepted: 1, deadLettered: 1 });

      expect(channel.replayDeadLetters()).toEqual([id]);

      expect(channel.stats()).toMatchObject({
        accepted: 2,
        replayed: 1,
        deadLettered: 1,
        buffered: 1,
        deadLetters: 0,
      });
      expectBalanced(channel);
      const again = await channel.receive(run);
      expect(again).toMatchObject({ id, body: 'poison', deliveryCount: 1 });
      again!.ack();
      expect(channel.stats()).toMatchObject({ handled: 1, buffered: 0 });
      expectBalanced(channel);
    });

    it('replays only the ids asked for, ignoring unknown ones, and reports the replay', async () => {
      const channel = new Channel<string>({ name: 'jobs', maxDeliveries: 1 });
      const events: ChannelEvent[] = [];
      channel.on((event) => events.push(event));
      const [, second] = await deadLetter(channel, ['a', 'b', 'c']);

      expect(channel.replayDeadLetters([second!, 'unknown'])).toEqual([second]);

      expect(channel.deadLetters().map((letter) => letter.body)).toEqual(['a', 'c']);
      expect(events.at(-1)).toEqual({ type: 'replayed', channel: 'jobs', ids: [second] });
      expect(channel.replayDeadLetters(['unknown'])).toEqual([]);
    });

    it('appends replays even past capacity', async () => {
      const channel = new Channel<string>({ name: 'jobs', capacity: 1, maxDeliveries: 1 });
      await deadLetter(channel, ['a', 'b']);
      await channel.send('filler');

      channel.replayDeadLetters();

      expect(channel.stats().buffered).toBe(3);
      expectBalanced(channel);
    });

    it('refuses to replay once the channel is closing', async () => {
      const channel = new Channel<string>({ name: 'jobs', maxDeliveries: 1 });
      await deadLetter(channel, ['a']);
      void channel.close();

      expect(() => channel.replayDeadLetters()).toThrow(ChannelClosedError);
      expect(channel.deadLetters()).toHaveLength(1);
    });
  });
});
