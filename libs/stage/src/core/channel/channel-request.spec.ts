import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Channel } from './channel.js';
import { handleChannel } from './handle-channel.js';
import { newRun, expectBalanced, record } from './channel.spec-helper.js';
import { DeadLetteredError } from '../errors/dead-lettered-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';
import { isStageError } from '../errors/stage-error.js';
import { TaskGroup } from '../group/task-group.js';

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

    it('withdraws a request that times out while still buffered', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });
      const events = record(channel);
      const reply = channel.request('slow', { timeoutMs: 100 });
      const assertion = expect(reply).rejects.toThrow(RequestTimeoutError);

      await vi.advanceTimersByTimeAsync(100);

      await assertion;
      await expect(reply).rejects.toThrow(/got no reply within 100 ms/);
      expect(channel.stats()).toMatchObject({ accepted: 1, withdrawn: 1, buffered: 0 });
      expect(events.map((event) => event.type)).toEqual(['withdrawn']);
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

    it('lets a handler finish a request that timed out in its hands, ignoring the late reply', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });
      const events = record(channel);
      const reply = channel.request('slow', { timeoutMs: 50 });
      const assertion = expect(reply).rejects.toThrow(RequestTimeoutError);
      const delivery = await channel.receive(newRun());

      await vi.advanceTimersByTimeAsync(50);
      await assertion;
      delivery!.ack('too late');

      expect(events.map((event) => event.type)).toEqual(['late-reply-ignored']);
      expect(channel.stats()).toMatchObject({ handled: 1, withdrawn: 0, inFlight: 0 });
      expectBalanced(channel);
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

    it('rejects with the signal reason and withdraws a buffered request when aborted', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });
      const controller = new AbortController();
      const reply = channel.request('a', { signal: controller.signal });
      const reason = new Error('client went away');

      controller.abort(reason);

      await expect(reply).rejects.toBe(reason);
      expect(channel.stats()).toMatchObject({ withdrawn: 1, buffered: 0 });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('rejects with the dead-letter error carrying the last cause when the handler always throws', async () => {
      const channel = new Channel<string, string>({
        name: 'jobs',
        maxDeliveries: 3,
        redelivery: { minMs: 10 },
      });
      const events = record(channel);
      const group = new TaskGroup({
        name: 'consumers',
        task: handleChannel(channel, (body, delivery) => {
          throw new Error(`cannot handle ${body} (delivery ${delivery.deliveryCount})`);
        }),
      });
      group.start();
      const reply = channel.request('poison');
      const assertion = expect(reply).rejects.toSatisfy(
        (error) =>
          error instanceof DeadLetteredError &&
          error.deliveryCount === 3 &&
          error.cause.message === 'cannot handle poison (delivery 3)',
      );

      await vi.advanceTimersByTimeAsync(1000);

      await assertion;
      const [letter] = channel.deadLetters();
      expect(letter).toMatchObject({ body: 'poison', deliveryCount: 3 });
      expect(events.filter((event) => event.type === 'dead-lettered')).toHaveLength(1);
      expect(group.status().failures).toBe(0);
      await group.stop();
      expectBalanced(channel);
    });

    it('leaves the listener count of a shared signal unchanged across 1,000 requests', async () => {
      const channel = new Channel<number, number>({ name: 'double' });
      const group = new TaskGroup({ name: 'doublers', task: handleChannel(channel, (n) => n * 2) });
      group.start();
      await vi.advanceTimersByTimeAsync(0);
      const controller = new AbortController();
      const before = getEventListeners(controller.signal, 'abort').length;
      const warnings = vi.fn();
      process.on('warning', warnings);

      for (let index = 0; index < 1000; index++) {
        expect(await channel.request(index, { signal: controller.signal, timeoutMs: 1000 })).toBe(
          index * 2,
        );
      }

      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(before);
      expect(vi.getTimerCount()).toBe(0);
      process.off('warning', warnings);
      expect(warnings).not.toHaveBeenCalled();
      await group.stop();
    });

    it('rejects a bad timeoutMs with InvalidOptionError naming the channel', async () => {
      const channel = new Channel<number, number>({ name: 'double' });

      await expect(channel.request(1, { timeoutMs: -5 })).rejects.toThrow(InvalidOptionError);
      await expect(channel.request(1, { timeoutMs: Number.NaN })).rejects.toThrow(
        /channel "double" request/,
      );
      expect(channel.stats().accepted).toBe(0);
    });

    it('rejects with the signal reason when the signal fires while the handler holds it', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });
      const controller = new AbortController();
      const reply = channel.request('a', { signal: controller.signal });
      const delivery = await channel.receive(newRun());

      controller.abort('stop');

      await expect(reply).rejects.toBe('stop');
      delivery!.ack('ignored');
      expect(channel.stats()).toMatchObject({ handled: 1, withdrawn: 0 });
      expect(isStageError(new RequestTimeoutError('jobs', 1, 'x'), 'STAGE_REQUEST_TIMEOUT')).toBe(
        true,
      );
    });
  });
});
