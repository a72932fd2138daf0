import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Channel } from './channel.js';
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

    it('returns a snapshot that later dead letters do not change', async () => {
      const channel = new Channel<string>({ name: 'jobs', maxDeliveries: 1 });
      await deadLetter(channel, ['a']);
      const snapshot = channel.deadLetters();

      await deadLetter(channel, ['b']);

      expect(snapshot).toHaveLength(1);
    });
  });

  describe('replayDeadLetters', () => {
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
