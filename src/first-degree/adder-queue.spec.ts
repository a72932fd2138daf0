import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { AdderQueue } from './adder-queue.js';
import { AdderQueueClosedError } from './adder-queue-closed-error.js';

/** Lets an ask run without awaiting it; its rejection at the closing of the queue is expected. */
function forget(answer: Promise<unknown>): void {
  answer.catch(() => undefined);
}

describe('AdderQueue', () => {
  let queue: AdderQueue;
  let worker: AbortController;

  beforeEach(() => {
    vi.useFakeTimers();
    queue = new AdderQueue();
    worker = new AbortController();
  });

  afterEach(() => {
    queue.close();
    vi.useRealTimers();
  });

  describe('ask and take', () => {
    it('hands a queued job to a worker, whose reply answers the caller', async () => {
      const answer = queue.ask({ a: 1, b: 2 }, { timeoutMs: 100 });

      const job = await queue.take(worker.signal);
      job?.reply(3);

      await expect(answer).resolves.toEqual({ kind: 'answered', sum: 3 });
      expect(job).toMatchObject({ a: 1, b: 2, wanted: false });
    });

    it('wakes a waiting worker with the next job', async () => {
      const taken = queue.take(worker.signal);

      forget(queue.ask({ a: 4, b: 5 }, { timeoutMs: 100 }));

      await expect(taken).resolves.toMatchObject({ a: 4, b: 5, wanted: true });
    });

    it('hands jobs out in the order they were asked', async () => {
      forget(queue.ask({ a: 1, b: 0 }, { timeoutMs: 100 }));
      forget(queue.ask({ a: 2, b: 0 }, { timeoutMs: 100 }));

      expect((await queue.take(worker.signal))?.a).toBe(1);
      expect((await queue.take(worker.signal))?.a).toBe(2);
    });
  });

  describe('timeouts', () => {
    it('reports a job that got no reply in time as timed out', async () => {
      const answer = queue.ask({ a: 1, b: 2 }, { timeoutMs: 100 });
      const job = await queue.take(worker.signal);

      await vi.advanceTimersByTimeAsync(100);

      await expect(answer).resolves.toEqual({ kind: 'timed-out' });
      expect(job?.wanted).toBe(false);
    });

    it('ignores the late reply of a worker that held a timed-out job', async () => {
      const answer = queue.ask({ a: 1, b: 2 }, { timeoutMs: 100 });
      const job = await queue.take(worker.signal);
      await vi.advanceTimersByTimeAsync(100);

      job?.reply(3);

      await expect(answer).resolves.toEqual({ kind: 'timed-out' });
    });

    it('skips a queued job whose caller stopped waiting', async () => {
      forget(queue.ask({ a: 1, b: 0 }, { timeoutMs: 50 }));
      await vi.advanceTimersByTimeAsync(50);
      forget(queue.ask({ a: 2, b: 0 }, { timeoutMs: 100 }));

      expect((await queue.take(worker.signal))?.a).toBe(2);
    });

    it('leaves no timer behind once a job is answered', async () => {
      const answer = queue.ask({ a: 1, b: 2 }, { timeoutMs: 100 });
      (await queue.take(worker.signal))?.reply(3);
      await answer;

      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('abort', () => {
    it("rejects with the signal's reason and withdraws the job", async () => {
      const caller = new AbortController();
      const answer = queue.ask({ a: 1, b: 2 }, { timeoutMs: 100, signal: caller.signal });

      caller.abort(new Error('client gone'));

      await expect(answer).rejects.toThrow('client gone');
      expect(vi.getTimerCount()).toBe(0);
      const taken = queue.take(worker.signal);
      worker.abort();
      await expect(taken).resolves.toBeUndefined();
    });

    it('rejects at once for a signal that already fired', async () => {
      const caller = new AbortController();
      caller.abort(new Error('client gone'));

      await expect(
        queue.ask({ a: 1, b: 2 }, { timeoutMs: 100, signal: caller.signal }),
      ).rejects.toThrow('client gone');
      expect(queue.size).toBe(0);
    });

    it("removes its listener from the caller's signal once answered", async () => {
      const caller = new AbortController();
      const removed = vi.spyOn(caller.signal, 'removeEventListener');
      const answer = queue.ask({ a: 1, b: 2 }, { timeoutMs: 100, signal: caller.signal });

      (await queue.take(worker.signal))?.reply(3);
      await answer;

      expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
    });

    it('returns undefined to a waiting worker whose signal fires, and gives its place up', async () => {
      const stopping = new AbortController();
      const stopped = queue.take(stopping.signal);

      stopping.abort();

      await expect(stopped).resolves.toBeUndefined();
      const answer = queue.ask({ a: 1, b: 2 }, { timeoutMs: 100 });
      (await queue.take(worker.signal))?.reply(3);
      await expect(answer).resolves.toEqual({ kind: 'answered', sum: 3 });
    });

    it('returns undefined at once to a worker whose signal already fired', async () => {
      worker.abort();

      await expect(queue.take(worker.signal)).resolves.toBeUndefined();
    });
  });

  describe('close', () => {
    it('rejects every waiting caller, queued or held, with AdderQueueClosedError', async () => {
      const held = queue.ask({ a: 1, b: 0 }, { timeoutMs: 100 });
      const queued = queue.ask({ a: 2, b: 0 }, { timeoutMs: 100 });
      await queue.take(worker.signal);

      queue.close();

      await expect(held).rejects.toThrow(AdderQueueClosedError);
      await expect(queued).rejects.toThrow(AdderQueueClosedError);
      expect(queue.size).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('wakes waiting workers with undefined', async () => {
      const taken = queue.take(worker.signal);

      queue.close();

      await expect(taken).resolves.toBeUndefined();
      await expect(queue.take(worker.signal)).resolves.toBeUndefined();
    });

    it('rejects an ask after close at once, naming the shutdown', async () => {
      queue.onModuleDestroy();

      await expect(queue.ask({ a: 1, b: 2 }, { timeoutMs: 100 })).rejects.toThrow(
        'The adder queue is closed: the application is shutting down',
      );
    });

    it('is idempotent', () => {
      queue.close();

      expect(() => queue.close()).not.toThrow();
    });
  });
});
