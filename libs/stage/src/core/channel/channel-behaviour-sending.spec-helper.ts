import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { BehaviourHarness } from './channel-behaviour-harness.spec-helper.js';
import { eventually } from './channel-behaviour-harness.spec-helper.js';
import { expectBalanced, newRun, outcome, record } from './channel.spec-helper.js';
import { handleChannel } from './handle-channel.js';
import { ChannelFullError } from '../errors/channel-full-error.js';
import { ChannelNotStartedError } from '../errors/channel-not-started-error.js';

/**
 * How messages get in: the overflow modes a full channel applies (`wait`, `reject`,
 * `drop-newest`), waiting senders and their signals, and one signal shared by many requests.
 */
export function describeSending({ channel, group }: BehaviourHarness): void {
  describe('sending to a full channel', () => {
    it('rejects a message with ChannelFullError in reject mode, without accepting it', async () => {
      const jobs = channel<string>({ capacity: 1, overflow: 'reject' });
      jobs.markStarted();
      await jobs.send('a');

      const refused = jobs.send('b');

      await expect(refused).rejects.toThrow(ChannelFullError);
      await expect(refused).rejects.toThrow(/capacity 1, overflow "reject"/);
      expect(jobs.stats()).toMatchObject({ accepted: 1, dropped: 0, waitingSenders: 0 });
      expectBalanced(jobs);
    });

    it('drops the new message in drop-newest mode, counting and reporting the drop', async () => {
      const jobs = channel<string, string>({ capacity: 1, overflow: 'drop-newest' });
      const events = record(jobs);
      await jobs.send('kept');

      const droppedId = await jobs.send('dropped');
      const droppedRequest = jobs.request('dropped request');

      await expect(droppedRequest).rejects.toThrow(ChannelFullError);
      expect(events.filter((event) => event.type === 'dropped')).toEqual([
        { type: 'dropped', channel: jobs.name, id: droppedId, overflow: 'drop-newest' },
        expect.objectContaining({ type: 'dropped', overflow: 'drop-newest' }),
      ]);
      expect(jobs.stats()).toMatchObject({ accepted: 3, dropped: 2 });
      const delivery = await jobs.receive(newRun());
      expect(delivery?.body).toBe('kept');
      delivery?.ack();
      expectBalanced(jobs);
    });

    it('rejects a send that would have to wait before consumers have started, naming the channel', async () => {
      const jobs = channel<number>({ capacity: 1 });
      await jobs.send(1);

      const refused = jobs.send(2);

      await expect(refused).rejects.toThrow(ChannelNotStartedError);
      await expect(refused).rejects.toThrow(`Channel "${jobs.name}"`);
      expect(jobs.stats()).toMatchObject({ accepted: 1, waitingSenders: 0 });
      expectBalanced(jobs);
    });

    it('lets an aborted waiting sender give its place back while the others keep their order', async () => {
      const jobs = channel<string>({ capacity: 1 });
      jobs.markStarted();
      await jobs.send('first');
      const controllers = [0, 1, 2, 3, 4].map(() => new AbortController());
      const senders = ['s0', 's1', 's2', 's3', 's4'].map((body, index) =>
        outcome(jobs.send(body, { signal: controllers[index]!.signal })),
      );
      const reasons = [1, 2, 4].map((index) => new Error(`abort ${index}`));

      controllers[1]!.abort(reasons[0]);
      controllers[2]!.abort(reasons[1]);
      controllers[4]!.abort(reasons[2]);

      await eventually(() => senders[4]!.done, 1_000, 'the aborted senders');
      expect([senders[1]!.error, senders[2]!.error, senders[4]!.error]).toEqual(reasons);
      expect(jobs.stats().waitingSenders).toBe(2);
      const run = newRun();
      const bodies: string[] = [];
      for (let index = 0; index < 3; index++) {
        const delivery = (await jobs.receive(run))!;
        bodies.push(delivery.body);
        delivery.ack();
      }
      expect(bodies).toEqual(['first', 's0', 's3']);
      await eventually(() => senders[0]!.done && senders[3]!.done, 1_000, 'the senders let in');
      expect([senders[0]!.error, senders[3]!.error]).toEqual([undefined, undefined]);
      expect(jobs.stats()).toMatchObject({ accepted: 3, handled: 3, waitingSenders: 0 });
      for (const controller of controllers) {
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      }
      expectBalanced(jobs);
    });
  });

  describe('one signal shared by many requests', () => {
    it('leaves the listener count of a shared signal unchanged across 1,000 requests', async () => {
      const doubler = channel<number, number>();
      group(
        'doublers',
        handleChannel(doubler, (n) => n * 2),
      );
      const controller = new AbortController();
      const before = getEventListeners(controller.signal, 'abort').length;
      const warnings = vi.fn();
      process.on('warning', warnings);

      try {
        for (let wave = 0; wave < 10; wave++) {
          const numbers = Array.from({ length: 100 }, (_, index) => wave * 100 + index);
          const replies = numbers.map((n) =>
            doubler.request(n, { signal: controller.signal, timeoutMs: 5_000 }),
          );
          // However many requests wait on it, the channel listens to the signal once.
          expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(
            before + 1,
          );
          await expect(Promise.all(replies)).resolves.toEqual(numbers.map((n) => n * 2));
        }
      } finally {
        process.off('warning', warnings);
      }

      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(before);
      expect(warnings).not.toHaveBeenCalled();
      expect(doubler.stats()).toMatchObject({ accepted: 1_000, handled: 1_000, withdrawn: 0 });
      expectBalanced(doubler);
    });
  });
}
