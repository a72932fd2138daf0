import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TaskContext } from './task-context.js';
import { TaskGroup } from './task-group.js';
import { GroupGaveUpError } from '../errors/group-gave-up-error.js';

async function untilStopped(ctx: TaskContext): Promise<void> {
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TaskGroup', () => {
  describe('scope', () => {
    it('runs the group alongside the work, then stops it and returns the result', async () => {
      const group = new TaskGroup({ name: 'helpers', size: 2, task: untilStopped });
      const result = group.scope(async () => {
        await sleep(100);
        return group.status().running;
      });
      await vi.advanceTimersByTimeAsync(100);

      await expect(result).resolves.toBe(2);
      expect(group.status().state).toMatchObject({ kind: 'stopped', report: { settled: 2 } });
    });

    it('accepts a promise as the work', async () => {
      const group = new TaskGroup({ name: 'helpers', task: untilStopped });
      const result = group.scope(sleep(10).then(() => 'done'));
      await vi.advanceTimersByTimeAsync(10);
      await expect(result).resolves.toBe('done');
      expect(group.status().state.kind).toBe('stopped');
    });

    it('stops the group before rethrowing the error of the work', async () => {
      const group = new TaskGroup({ name: 'helpers', task: untilStopped });
      const result = group.scope(async () => {
        await sleep(10);
        throw new Error('work failed');
      });
      const outcome = expect(result).rejects.toThrow('work failed');
      await vi.advanceTimersByTimeAsync(10);
      await outcome;
      expect(group.status().state.kind).toBe('stopped');
    });

    it('treats a synchronous throw of the work function as its error', async () => {
      const group = new TaskGroup({ name: 'helpers', task: untilStopped });
      const result = group.scope(() => {
        throw new Error('sync');
      });
      await expect(result).rejects.toThrow('sync');
      expect(group.status().state.kind).toBe('stopped');
    });

    it('aborts the work and rejects with the give-up error when the group gives up first', async () => {
      const group = new TaskGroup({
        name: 'helpers',
        intensity: { maxRestarts: 1, withinMs: 10_000 },
        backoff: { minMs: 10, jitter: 0 },
        task: async () => Promise.reject(new Error('broken')),
      });
      let reason: unknown;
      const result = group.scope(async (signal) => {
        await new Promise<void>((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            reject(new Error('aborted work'));
          }),
        );
      });
      const outcome = expect(result).rejects.toBeInstanceOf(GroupGaveUpError);
      await vi.advanceTimersByTimeAsync(100);
      await outcome;
      expect(reason).toBeInstanceOf(GroupGaveUpError);
      expect(group.status().state.kind).toBe('gave-up');
    });

    it('waits for the tasks to stop before rejecting with the give-up error', async () => {
      const stopped = vi.fn();
      const group = new TaskGroup({
        name: 'helpers',
        size: 2,
        intensity: { maxRestarts: 0, withinMs: 10_000 },
        task: async (ctx) => {
          if (ctx.index === 0) {
            await sleep(5);
            throw new Error('broken');
          }
          await untilStopped(ctx);
          await sleep(50);
          stopped();
        },
      });
      let settled = false;
      const result = group.scope(new Promise(() => {}));
      result.catch(() => (settled = true));
      await vi.advanceTimersByTimeAsync(54);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBe(true);
      expect(stopped).toHaveBeenCalledOnce();
    });

    it('keeps waiting for the work when the group completes on its own', async () => {
      const group = new TaskGroup({ name: 'helpers', task: async () => {} });
      const result = group.scope(sleep(1_000).then(() => 7));
      await vi.advanceTimersByTimeAsync(10);
      expect(group.status().state.kind).toBe('completed');
      await vi.advanceTimersByTimeAsync(990);
      await expect(result).resolves.toBe(7);
    });
  });
});
