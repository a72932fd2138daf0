import { describe, expect, it } from 'vitest';
import type { BehaviourHarness } from './channel-behaviour-harness.spec-helper.js';
import { eventually } from './channel-behaviour-harness.spec-helper.js';
import { expectBalanced, newRun } from './channel.spec-helper.js';
import { handleChannel } from './handle-channel.js';
import { ChannelClosedError } from '../errors/channel-closed-error.js';
import { isStageError } from '../errors/stage-error.js';

/** The close: refused sends, woken consumers, what is left at the deadline, and the ledger. */
export function describeClosing({ channel, group }: BehaviourHarness): void {
  describe('close', () => {
    it('rejects a send after close at once with ChannelClosedError', async () => {
      const jobs = channel<string>();
      await jobs.close();

      const refused = jobs.send('late');

      await expect(refused).rejects.toThrow(ChannelClosedError);
      await expect(refused).rejects.toThrow(`Channel "${jobs.name}" is closed`);
      await expect(jobs.request('late')).rejects.toSatisfy((error) =>
        isStageError(error, 'STAGE_CHANNEL_CLOSED'),
      );
      expect(jobs.stats().accepted).toBe(0);
      expectBalanced(jobs);
    });

    it('rejects the senders waiting for room with ChannelClosedError', async () => {
      const jobs = channel<string>({ capacity: 1 });
      jobs.markStarted();
      await jobs.send('a');
      const waiting = jobs.send('b');

      const closing = jobs.close({ timeoutMs: 10 });

      await expect(waiting).rejects.toThrow(ChannelClosedError);
      await closing;
      expect(jobs.stats()).toMatchObject({ accepted: 1, waitingSenders: 0 });
      expectBalanced(jobs);
    });

    it('ends a waiting consumer when the channel closes, with a drained report', async () => {
      const jobs = channel<string>();
      const waiting = jobs.receive(newRun());

      const report = await jobs.close({ timeoutMs: 500 });

      await expect(waiting).resolves.toBeUndefined();
      await expect(jobs.receive(newRun())).resolves.toBeUndefined();
      expect(report).toMatchObject({ drained: true, inFlight: 0 });
      expectBalanced(jobs);
    });

    it('returns the requests still buffered at the deadline to their senders with ChannelClosedError', async () => {
      const jobs = channel<string, string>();
      await jobs.send('held');
      const held = (await jobs.receive(newRun()))!;
      const left = jobs.request('left');
      const assertion = expect(left).rejects.toThrow(ChannelClosedError);

      const report = await jobs.close({ timeoutMs: 50 });

      await assertion;
      expect(report).toMatchObject({ drained: false, inFlight: 1 });
      held.ack();
      await eventually(() => jobs.stats().buffered === 0, 2_000, 'every send to end');
      expect(jobs.stats()).toMatchObject({ handled: 1, inFlight: 0 });
      expectBalanced(jobs);
    });
  });

  describe('the ledger', () => {
    it('balances its ledger under mixed traffic: sends, requests, failures, dead letters', async () => {
      const jobs = channel<number, number>({
        maxDeliveries: 2,
        redelivery: { minMs: 1, maxMs: 2 },
      });
      group(
        'mixed',
        handleChannel(jobs, (n, delivery) => {
          if (n % 5 === 0) throw new Error('multiple of five');
          if (n % 3 === 0 && delivery.deliveryCount === 1) throw new Error('first try');
          return n * 2;
        }),
        3,
      );

      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, (_, n) =>
          n % 2 === 0 ? jobs.request(n, { timeoutMs: 5_000 }) : jobs.send(n),
        ),
      );
      await eventually(
        () => {
          const s = jobs.stats();
          return s.buffered + s.inFlight + s.delayed === 0 && s.handled + s.deadLettered >= 30;
        },
        5_000,
        'every message to end',
      );

      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(3);
      expect(jobs.stats()).toMatchObject({ handled: 24, deadLettered: 6 });
      expectBalanced(jobs);
    });
  });
}
