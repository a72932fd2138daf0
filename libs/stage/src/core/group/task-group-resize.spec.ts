import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GroupEvent } from './group-events.js';
import type { TaskContext } from './task-context.js';
import { TaskGroup } from './task-group.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

async function untilStopped(ctx: TaskContext): Promise<void> {
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
}

function running(size: number, task = vi.fn(untilStopped)) {
  const group = new TaskGroup({ name: 'pool', size, task, backoff: { minMs: 100, jitter: 0 } });
  const events: GroupEvent[] = [];
  group.on((event) => events.push(event));
  return { group, task, events };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TaskGroup', () => {
  describe('resize', () => {
    it('launches the new slots on a later turn when growing', async () => {
      const { group, task } = running(1);
      group.start();
      await vi.advanceTimersByTimeAsync(0);

      group.resize(3);
      expect(task).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(0);
      expect(task.mock.calls.map(([ctx]) => ctx.index)).toEqual([0, 1, 2]);
      expect(group.status()).toMatchObject({ size: 3, running: 3 });
      await group.stop();
    });

    it('stops the highest slots when shrinking, and never restarts them', async () => {
      const { group, task, events } = running(3);
      group.start();
      await vi.advanceTimersByTimeAsync(0);

      group.resize(1);
      await vi.advanceTimersByTimeAsync(10_000);
      const stopped = events.flatMap((event) =>
        event.type === 'task-stopped' ? [event.index] : [],
      );
      expect(stopped.sort()).toEqual([1, 2]);
      expect(task).toHaveBeenCalledTimes(3);
      expect(group.status()).toMatchObject({ size: 1, running: 1, state: { kind: 'running' } });
      await group.stop();
    });

    it('cancels the pending restart of a slot it removes', async () => {
      const task = vi.fn(async (ctx: TaskContext) => {
        if (ctx.index === 1) throw new Error('fails');
        await untilStopped(ctx);
      });
      const { group } = running(2, task);
      group.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(task).toHaveBeenCalledTimes(2);

      group.resize(1);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(task).toHaveBeenCalledTimes(2);
      await group.stop();
    });

    it('makes a stop wait for the runs of removed slots', async () => {
      const task = vi.fn(async (ctx: TaskContext) => {
        await untilStopped(ctx);
        if (ctx.index === 1) await new Promise((resolve) => setTimeout(resolve, 500));
      });
      const { group } = running(2, task);
      group.start();
      await vi.advanceTimersByTimeAsync(0);

      group.resize(1);
      const stopping = group.stop();
      let report: unknown;
      void stopping.then((value) => (report = value));
      await vi.advanceTimersByTimeAsync(499);
      expect(report).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(report).toEqual({ settled: 2, abandoned: [], clean: true });
    });

    it('keeps running with no slot left after shrinking to 0', async () => {
      const { group } = running(2);
      group.start();
      await vi.advanceTimersByTimeAsync(0);
      group.resize(0);
      await vi.advanceTimersByTimeAsync(0);
      expect(group.status()).toMatchObject({ running: 0, state: { kind: 'running' } });

      group.resize(1);
      await vi.advanceTimersByTimeAsync(0);
      expect(group.status().running).toBe(1);
      await group.stop();
    });

    it('ends the run when the slots left have all ended', async () => {
      const task = vi.fn(async (ctx: TaskContext) => {
        if (ctx.index === 0) return;
        await untilStopped(ctx);
      });
      const { group } = running(2, task);
      group.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(group.status().state.kind).toBe('running');

      group.resize(1);
      await vi.advanceTimersByTimeAsync(0);
      expect(group.status().state).toEqual({ kind: 'completed' });
    });

    it('sets the size of the next run outside a run', async () => {
      const { group, task } = running(1);
      group.resize(2);
      expect(task).not.toHaveBeenCalled();
      group.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(task).toHaveBeenCalledTimes(2);
      await group.stop();
    });

    it('gives a shrunk-then-grown index a fresh slot while the old run still stops', async () => {
      const task = vi.fn(async (ctx: TaskContext) => {
        await untilStopped(ctx);
        await new Promise((resolve) => setTimeout(resolve, 100));
      });
      const { group } = running(2, task);
      group.start();
      await vi.advanceTimersByTimeAsync(0);
      group.resize(1);
      group.resize(2);
      await vi.advanceTimersByTimeAsync(0);
      expect(group.status().running).toBe(3);
      await vi.advanceTimersByTimeAsync(100);
      expect(group.status().running).toBe(2);
      expect(task.mock.calls.map(([ctx]) => [ctx.index, ctx.attempt])).toEqual([
        [0, 1],
        [1, 1],
        [1, 1],
      ]);
      const stopping = group.stop();
      await vi.advanceTimersByTimeAsync(100);
      await expect(stopping).resolves.toMatchObject({ settled: 2, clean: true });
    });

    it.each([-1, 0.5, Number.NaN, '3'])('rejects the size %s', (size) => {
      const { group } = running(1);
      expect(() => group.resize(size as number)).toThrow(InvalidOptionError);
      expect(group.size).toBe(1);
    });

    it('lets the default intensity follow the new size', async () => {
      const group = new TaskGroup({
        name: 'pool',
        size: 1,
        backoff: { minMs: 0, maxMs: 0 },
        task: async () => Promise.reject(new Error('down')),
      });
      const events: GroupEvent[] = [];
      group.on((event) => events.push(event));
      group.start();
      group.resize(2);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(events.filter((event) => event.type === 'restarting')).toHaveLength(12);
      expect(group.status().state.kind).toBe('gave-up');
    });
  });
});
