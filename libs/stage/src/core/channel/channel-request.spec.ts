import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Channel } from './channel.js';
import { newRun, expectBalanced } from './channel.spec-helper.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';

describe('Channel', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('request', () => {
    it('resolves with the reply given to ack in loop mode', async () => {
      const channel = new Channel<number, number>({ name: 'double' });
      const reply = channel.request(21);

      const delivery = await channel.receive(newRun());
      expect(delivery?.isRequest).toBe(true);
      delivery!.ack(delivery!.body * 2);

      await expect(reply).resolves.toBe(42);
      expect(channel.stats()).toMatchObject({ accepted: 1, handled: 1 });
    });

    it('arms no timer when no timeout was asked for', async () => {
      const channel = new Channel<number, number>({ name: 'double' });

      void channel.request(1);
      void channel.send(2);

      expect(vi.getTimerCount()).toBe(0);
    });

    it('clears a request’s timer once it is answered', async () => {
      const channel = new Channel<number, number>({ name: 'double' });
      const reply = channel.request(21, { timeoutMs: 1000 });
      expect(vi.getTimerCount()).toBe(1);

      (await channel.receive(newRun()))!.ack(42);

      await expect(reply).resolves.toBe(42);
      expect(vi.getTimerCount()).toBe(0);
      expectBalanced(channel);
    });

    it('rejects a request that times out while waiting for room, without counting it', async () => {
      const channel = new Channel<string, string>({ name: 'jobs', capacity: 1 });
      channel.markStarted();
      await channel.send('filler');
      const reply = channel.request('waiting', { timeoutMs: 10 });
      const assertion = expect(reply).rejects.toSatisfy(
        (error) => error instanceof RequestTimeoutError && error.messageId === undefined,
      );

      await vi.advanceTimersByTimeAsync(10);

      await assertion;
      expect(channel.stats()).toMatchObject({ accepted: 1, waitingSenders: 0, withdrawn: 0 });
    });

    it('withdraws rather than redelivers a failed request whose sender has stopped waiting', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });
      const reply = channel.request('slow', { timeoutMs: 50 });
      const assertion = expect(reply).rejects.toThrow(RequestTimeoutError);
      const delivery = await channel.receive(newRun());
      await vi.advanceTimersByTimeAsync(50);
      await assertion;

      delivery!.fail(new Error('boom'));

      expect(channel.stats()).toMatchObject({ withdrawn: 1, redeliveries: 0, delayed: 0 });
      expectBalanced(channel);
    });

    it('withdraws a request that times out while waiting for its redelivery, clearing the timer', async () => {
      const channel = new Channel<string, string>({ name: 'jobs', redelivery: { minMs: 1000 } });
      const reply = channel.request('flaky', { timeoutMs: 500 });
      const assertion = expect(reply).rejects.toThrow(RequestTimeoutError);
      (await channel.receive(newRun()))!.fail(new Error('once'));
      expect(channel.stats().delayed).toBe(1);

      await vi.advanceTimersByTimeAsync(500);

      await assertion;
      expect(channel.stats()).toMatchObject({ delayed: 0, withdrawn: 1 });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('rejects a bad timeoutMs with InvalidOptionError naming the channel', async () => {
      const channel = new Channel<number, number>({ name: 'double' });

      await expect(channel.request(1, { timeoutMs: -5 })).rejects.toThrow(InvalidOptionError);
      await expect(channel.request(1, { timeoutMs: Number.NaN })).rejects.toThrow(
        /channel "double" request/,
      );
      expect(channel.stats().accepted).toBe(0);
    });
  });
});
