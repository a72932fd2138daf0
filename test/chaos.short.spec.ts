import { describe, expect, it } from 'vitest';
import { runChaos } from '../bench/chaos/chaos-engine.js';
import { HANDLER_CHANNEL, LOOP_CHANNEL, MessageLedger } from '../bench/chaos/message-ledger.js';

describe('chaos run (short)', () => {
  // A few seconds normally; the timeout leaves room for a loaded CI machine.
  it(
    'ends every accepted message exactly one way through failures, stops and tree restarts',
    {
      timeout: 60_000,
    },
    async () => {
      const report = await runChaos({
        seed: 20_261_203,
        messages: 20_000,
        durationMs: 15_000,
        checkHeap: true,
      });

      expect(typeof globalThis.gc).toBe('function');
      expect(report.violations).toEqual([]);
      expect(report.messagesSent).toBe(20_000);
      // The run really was chaotic: failures were redelivered, poison messages dead-lettered,
      // groups restarted, and some short-timeout requests withdrawn.
      expect(report.channels[LOOP_CHANNEL].stats.redeliveries).toBeGreaterThan(0);
      expect(report.channels[LOOP_CHANNEL].stats.deadLettered).toBeGreaterThan(0);
      expect(report.channels[HANDLER_CHANNEL].stats.deadLettered).toBeGreaterThan(0);
      expect(report.channels[HANDLER_CHANNEL].stats.withdrawn).toBeGreaterThan(0);
      expect(report.counters.groupRestarts).toBeGreaterThan(0);
      expect(report.chaosActions).toBeGreaterThan(0);
    },
  );

  it('rejects bad options with a typed error naming the option', async () => {
    await expect(runChaos({ seed: 1, messages: 0, durationMs: 1000 })).rejects.toThrow(
      /"messages" for chaos run/,
    );
  });
});

describe('MessageLedger', () => {
  describe('check', () => {
    it('reports an accepted message that never ended as lost', () => {
      const ledger = new MessageLedger(2);
      ledger.register(0, LOOP_CHANNEL, false);
      ledger.accepted(0);

      const check = ledger.check(1);

      expect(check.violations).toEqual(['message 0 was accepted and then lost (one-way)']);
    });

    it('reports a message both handled and dead-lettered', () => {
      const ledger = new MessageLedger(1);
      ledger.register(0, HANDLER_CHANNEL, false);
      ledger.accepted(0);
      ledger.completed(0);
      ledger.deadLettered(0);

      expect(ledger.check(1).violations).toContain(
        'message 0 ended more than one way (handled and dead-lettered)',
      );
    });

    it('reports a message handled twice', () => {
      const ledger = new MessageLedger(1);
      ledger.register(0, LOOP_CHANNEL, false);
      ledger.accepted(0);
      ledger.completed(0);
      ledger.completed(0);

      expect(ledger.check(1).violations).toEqual(['message 0 was handled 2 times']);
    });

    it('counts a side effect repeated by redelivery as a duplicate, not a violation', () => {
      const ledger = new MessageLedger(1);
      ledger.register(0, LOOP_CHANNEL, false);
      ledger.accepted(0);
      ledger.effect(0);
      ledger.effect(0);
      ledger.completed(0);

      const check = ledger.check(1);

      expect(check.violations).toEqual([]);
      expect(check.duplicatedMessages).toBe(1);
      expect(check.duplicateEffects).toBe(1);
    });

    it('counts a timed-out request that was never handled as withdrawn', () => {
      const ledger = new MessageLedger(1);
      ledger.register(0, HANDLER_CHANNEL, true);
      ledger.accepted(0);
      ledger.requestSettled(0, 'timed-out');

      const check = ledger.check(1);

      expect(check.violations).toEqual([]);
      expect(check.perChannel[HANDLER_CHANNEL]).toEqual({
        accepted: 1,
        handled: 0,
        deadLettered: 0,
        withdrawn: 1,
      });
    });

    it('reports a request whose sender never heard back', () => {
      const ledger = new MessageLedger(1);
      ledger.register(0, HANDLER_CHANNEL, true);
      ledger.accepted(0);
      ledger.completed(0);

      expect(ledger.check(1).violations).toEqual(['request 0 never settled']);
    });

    it('reports a request rejected as dead-lettered without a dead letter', () => {
      const ledger = new MessageLedger(1);
      ledger.register(0, HANDLER_CHANNEL, true);
      ledger.accepted(0);
      ledger.requestSettled(0, 'dead-lettered');

      expect(ledger.check(1).violations).toEqual([
        'message 0 was accepted and then lost (request)',
        'request 0 rejected as dead-lettered, but no dead letter was reported',
      ]);
    });

    it('keeps at most the given number of violations and counts the rest', () => {
      const ledger = new MessageLedger(30);
      for (let seq = 0; seq < 30; seq += 1) {
        ledger.register(seq, LOOP_CHANNEL, false);
        ledger.accepted(seq);
      }

      const check = ledger.check(30, 5);

      expect(check.violations).toHaveLength(5);
      expect(check.violationCount).toBe(30);
    });
  });
});
