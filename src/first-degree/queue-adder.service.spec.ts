import type { TaskContext } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { CrashInjector } from '../crash/crash-injector.js';
import { InjectedCrashError } from '../crash/injected-crash-error.js';
import { AdderQueue } from './adder-queue.js';
import { QueueAdderService } from './queue-adder.service.js';

function context(signal: AbortSignal): TaskContext {
  return { signal, index: 0, attempt: 1, group: 'queue-adder' };
}

describe('QueueAdderService', () => {
  describe('work', () => {
    it('answers queued jobs with their sums until its signal fires', async () => {
      const queue = new AdderQueue();
      const stop = new AbortController();
      const run = new QueueAdderService(queue, new CrashInjector({ rate: 0, seed: 1 })).work(
        context(stop.signal),
      );

      const answers = await Promise.all([
        queue.ask({ a: 1, b: 2 }, { timeoutMs: 1_000 }),
        queue.ask({ a: -4, b: 0.5 }, { timeoutMs: 1_000 }),
      ]);
      stop.abort();

      expect(answers).toEqual([
        { kind: 'answered', sum: 3 },
        { kind: 'answered', sum: -3.5 },
      ]);
      await expect(run).resolves.toBeUndefined();
      queue.close();
    });

    it('fails its run on a crash, losing the job it held', async () => {
      const queue = new AdderQueue();
      const stop = new AbortController();
      const answer = queue.ask({ a: 1, b: 2 }, { timeoutMs: 50 });

      const run = new QueueAdderService(queue, new CrashInjector({ rate: 1, seed: 1 })).work(
        context(stop.signal),
      );

      await expect(run).rejects.toThrow(InjectedCrashError);
      await expect(answer).resolves.toEqual({ kind: 'timed-out' });
      queue.close();
    });

    it('ends when the queue closes', async () => {
      const queue = new AdderQueue();
      const run = new QueueAdderService(queue, new CrashInjector({ rate: 0, seed: 1 })).work(
        context(new AbortController().signal),
      );

      queue.close();

      await expect(run).resolves.toBeUndefined();
    });
  });
});
