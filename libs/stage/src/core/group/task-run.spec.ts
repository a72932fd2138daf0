import { describe, expect, it, vi } from 'vitest';
import type { TaskContext, TaskOutcome } from './task-context.js';
import { TaskRun } from './task-run.js';
import { attachTaskRunHooks, taskRunHooks, type TaskRunHooks } from './task-run-hooks.js';

function run(report = vi.fn()) {
  return { run: new TaskRun(2, 3, 'mailer', report), report };
}

describe('TaskRun', () => {
  it('carries its index, attempt and group', () => {
    const { run: ctx } = run();
    expect({ index: ctx.index, attempt: ctx.attempt, group: ctx.group }).toEqual({
      index: 2,
      attempt: 3,
      group: 'mailer',
    });
  });

  it('is its own hooks, found through taskRunHooks', () => {
    const { run: ctx } = run();
    expect(taskRunHooks(ctx)).toBe(ctx);
  });

  describe('signal', () => {
    it('is made on first read, and aborted by the stop request with a reason naming the task', () => {
      const created = vi.spyOn(globalThis, 'AbortController');
      const { run: ctx } = run();
      expect(created).not.toHaveBeenCalled();
      created.mockRestore();
      const signal = ctx.signal;
      expect(ctx.signal).toBe(signal);
      expect(signal.aborted).toBe(false);

      ctx.requestStop();
      expect(signal.aborted).toBe(true);
      expect(String(signal.reason)).toMatch(/Task 2 \(attempt 3\) of group "mailer"/);
    });

    it('is already aborted when first read after the stop request', () => {
      const { run: ctx } = run();
      ctx.requestStop();
      expect(ctx.signal.aborted).toBe(true);
    });
  });

  describe('onStopRequested', () => {
    it('runs its callbacks once, synchronously, on the stop request', () => {
      const { run: ctx } = run();
      const callback = vi.fn();
      ctx.onStopRequested(callback);
      expect(ctx.stopRequested).toBe(false);
      ctx.requestStop();
      ctx.requestStop();
      expect(callback).toHaveBeenCalledOnce();
      expect(ctx.stopRequested).toBe(true);
    });

    it('does not run a callback that was unregistered', () => {
      const { run: ctx } = run();
      const callback = vi.fn();
      const unregister = ctx.onStopRequested(callback);
      unregister();
      unregister();
      ctx.requestStop();
      expect(callback).not.toHaveBeenCalled();
    });

    it('runs a callback registered after the request on the next microtask', async () => {
      const { run: ctx } = run();
      ctx.requestStop();
      const callback = vi.fn();
      ctx.onStopRequested(callback);
      expect(callback).not.toHaveBeenCalled();
      await Promise.resolve();
      expect(callback).toHaveBeenCalledOnce();

      const cancelled = vi.fn();
      ctx.onStopRequested(cancelled)();
      await Promise.resolve();
      expect(cancelled).not.toHaveBeenCalled();
    });

    it('reports a throwing callback and still runs the others', () => {
      const { run: ctx, report } = run();
      const error = new Error('hook');
      const after = vi.fn();
      ctx.onStopRequested(() => {
        throw error;
      });
      ctx.onStopRequested(after);
      ctx.requestStop();
      expect(report).toHaveBeenCalledWith('onStopRequested', error);
      expect(after).toHaveBeenCalledOnce();
    });
  });

  describe('onSettled', () => {
    it('runs its callbacks exactly once with the outcome', () => {
      const { run: ctx } = run();
      const outcomes: TaskOutcome[] = [];
      ctx.onSettled((outcome) => outcomes.push(outcome));
      ctx.settle({ kind: 'completed' });
      ctx.settle({ kind: 'stopped' });
      expect(outcomes).toEqual([{ kind: 'completed' }]);
      expect(ctx.outcome).toEqual({ kind: 'completed' });
    });

    it('runs a callback registered after settlement on the next microtask', async () => {
      const { run: ctx } = run();
      ctx.settle({ kind: 'stopped' });
      const callback = vi.fn();
      ctx.onSettled(callback);
      expect(callback).not.toHaveBeenCalled();
      await Promise.resolve();
      expect(callback).toHaveBeenCalledWith({ kind: 'stopped' });
    });

    it('reports a throwing callback', () => {
      const { run: ctx, report } = run();
      ctx.onSettled(() => {
        throw new Error('settle');
      });
      ctx.settle({ kind: 'completed' });
      expect(report).toHaveBeenCalledWith('onSettled', expect.any(Error));
    });
  });
});

describe('taskRunHooks', () => {
  const hooks: TaskRunHooks = {
    stopRequested: false,
    onStopRequested: () => () => {},
    onSettled: () => {},
  };

  it('finds hooks attached to a plain context', () => {
    const ctx: TaskContext = {
      signal: new AbortController().signal,
      index: 0,
      attempt: 1,
      group: 'g',
    };
    attachTaskRunHooks(ctx, hooks);
    expect(taskRunHooks(ctx)).toBe(hooks);
  });

  it('finds hooks attached to a frozen context', () => {
    const ctx: TaskContext = Object.freeze({
      signal: new AbortController().signal,
      index: 0,
      attempt: 1,
      group: 'g',
    });
    attachTaskRunHooks(ctx, hooks);
    expect(taskRunHooks(ctx)).toBe(hooks);
  });

  it('finds none on a context made elsewhere', () => {
    const ctx: TaskContext = {
      signal: new AbortController().signal,
      index: 0,
      attempt: 1,
      group: 'g',
    };
    expect(taskRunHooks(ctx)).toBeUndefined();
  });
});
