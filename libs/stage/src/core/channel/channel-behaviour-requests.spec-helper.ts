import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { BehaviourHarness } from './channel-behaviour-harness.spec-helper.js';
import { eventually, sleep } from './channel-behaviour-harness.spec-helper.js';
import { expectBalanced, newRun, record } from './channel.spec-helper.js';
import { handleChannel } from './handle-channel.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';

/**
 * Request and reply: replies, and what happens when a requester stops waiting (a timeout or an
 * abort) while its request is buffered, or while a handler holds it.
 */
export function describeRequests({ channel, group }: BehaviourHarness): void {
  describe('requests', () => {
    it('resolves a request with the handler’s reply', async () => {
      const adder = channel<{ a: number; b: number }, number>();
      group(
        'adders',
        handleChannel(adder, ({ a, b }) => a + b),
        2,
      );

      const replies = await Promise.all(
        [1, 2, 3].map((a) => adder.request({ a, b: 10 }, { timeoutMs: 5_000 })),
      );

      expect(replies).toEqual([11, 12, 13]);
      expect(adder.stats()).toMatchObject({ accepted: 3, handled: 3 });
      expectBalanced(adder);
    });

    it('withdraws a request that times out while still buffered, and never hands it to a consumer', async () => {
      const jobs = channel<string, string>();
      const events = record(jobs);
      const reply = jobs.request('expired', { timeoutMs: 50 });

      await expect(reply).rejects.toThrow(RequestTimeoutError);
      await expect(reply).rejects.toThrow(/got no reply within 50 ms/);
      const handled: string[] = [];
      group(
        'late',
        handleChannel(jobs, (body) => {
          handled.push(body);
          return body;
        }),
      );
      await jobs.send('fresh');

      await eventually(() => handled.length === 1, 5_000, 'the fresh message');
      await sleep(50);
      expect(handled).toEqual(['fresh']);
      expect(events.filter((event) => event.type === 'withdrawn')).toHaveLength(1);
      expect(jobs.stats()).toMatchObject({ withdrawn: 1, handled: 1 });
      expectBalanced(jobs);
    });

    it('withdraws an aborted buffered request with the signal’s reason, and never hands it to a consumer', async () => {
      const jobs = channel<string, string>();
      const controller = new AbortController();
      const reply = jobs.request('aborted', { signal: controller.signal });
      const reason = new Error('client went away');

      controller.abort(reason);

      await expect(reply).rejects.toBe(reason);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      const handled: string[] = [];
      group(
        'late',
        handleChannel(jobs, (body) => {
          handled.push(body);
          return body;
        }),
      );
      await jobs.send('fresh');
      await eventually(() => handled.length === 1, 5_000, 'the fresh message');
      await sleep(50);
      expect(handled).toEqual(['fresh']);
      expect(jobs.stats()).toMatchObject({ withdrawn: 1, handled: 1 });
      expectBalanced(jobs);
    });

    it.each(['times out', 'is aborted'] as const)(
      'lets a handler finish a request whose sender %s while it holds it, ignoring and reporting the late reply',
      async (how) => {
        const jobs = channel<string, string>();
        const events = record(jobs);
        const controller = new AbortController();
        const reply = jobs.request(
          'slow',
          how === 'times out' ? { timeoutMs: 200 } : { signal: controller.signal },
        );
        const delivery = (await jobs.receive(newRun()))!;
        // On a shared storage a consumer may hold the request before its sender hears that the
        // server stored it; until then, giving up would withdraw it on the sender's side.
        await eventually(() => jobs.stats().buffered === 0, 2_000, 'the request to be stored');

        if (how === 'is aborted') controller.abort(new Error('stop'));

        await expect(reply).rejects.toThrow(how === 'times out' ? RequestTimeoutError : 'stop');
        expect(() => delivery.ack('too late')).not.toThrow();
        await eventually(
          () => events.some((event) => event.type === 'late-reply-ignored'),
          2_000,
          'the late reply to be reported',
        );
        expect(events.filter((event) => event.type === 'late-reply-ignored')).toEqual([
          { type: 'late-reply-ignored', channel: jobs.name, id: delivery.id },
        ]);
        expect(jobs.stats()).toMatchObject({ handled: 1, withdrawn: 0, inFlight: 0 });
        expectBalanced(jobs);
      },
    );
  });
}
