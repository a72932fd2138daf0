import { describe, expect, it, vi } from 'vitest';
import type { TaskContext, TaskOutcome } from './task-context.js';
import { TaskRun } from './task-run.js';
import {
  attachTaskRunHooks,
  listenToRun,
  taskRunHooks,
  type TaskRunHooks,
  type TaskRunListener,
} from './task-run-hooks.js';

function run(report = vi.fn(), runEnded = vi.fn()) {
  const slot = { slot: 2 };
  return {
    run: new TaskRun(2, 3, 'mailer', { reportHookFailure: report, runEnded }, slot),
    report,
  };
}

/** A listener that records what it hears, in order, into `heard`. */
function recorder(name: string, heard: string[], key?: object): TaskRunListener {
  return {
    key,
    runStopRequested: () => heard.push(`${name} stop`),
    runSettled: (outcome) => heard.push(`${name} ${outcome.kind}`),
  };
}

describe('TaskRun', () => {
  it('hands the end of a direct run to its owner, with the slot it was made for', () => {
    const runEnded = vi.fn();
    const { run: ctx } = run(vi.fn(), runEnded);
    const error = new Error('down');

    ctx.runEnded({ kind: 'failed', error });

    expect(runEnded).toHaveBeenCalledWith({ slot: 2 }, ctx, { kind: 'failed', error });
    expect(ctx.settled).toBe(false); // settling is the owner's decision
  });

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

    it('says the run has settled from the moment its outcome is known, before its callbacks run', () => {
      const { run: ctx } = run();
      const seen: boolean[] = [];
      ctx.onSettled(() => seen.push(ctx.settled));
      expect(ctx.settled).toBe(false);
      ctx.requestStop();
      expect(ctx.settled).toBe(false);

      ctx.settle({ kind: 'stopped' });

      expect(seen).toEqual([true]);
      expect(ctx.settled).toBe(true);
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

  describe('addListener', () => {
    it('tells each listener of the stop request and of the outcome once, in registration order', () => {
      const { run: ctx } = run();
      const heard: string[] = [];
      ctx.addListener(recorder('a', heard));
      ctx.onStopRequested(() => heard.push('callback stop'));
      ctx.addListener(recorder('b', heard));

      ctx.requestStop();
      ctx.requestStop();
      ctx.settle({ kind: 'stopped' });
      ctx.settle({ kind: 'completed' });

      expect(heard).toEqual(['a stop', 'callback stop', 'b stop', 'a stopped', 'b stopped']);
    });

    it('tells a listener added after the stop request of it on the next microtask, then of the outcome', async () => {
      const { run: ctx } = run();
      const heard: string[] = [];
      ctx.requestStop();
      ctx.addListener(recorder('late', heard));
      expect(heard).toEqual([]);

      await Promise.resolve();
      ctx.settle({ kind: 'stopped' });

      expect(heard).toEqual(['late stop', 'late stopped']);
    });

    it('tells a listener added after settlement of the outcome only, on the next microtask', async () => {
      const { run: ctx } = run();
      const heard: string[] = [];
      ctx.settle({ kind: 'failed', error: new Error('down') });
      ctx.addListener(recorder('late', heard));
      expect(heard).toEqual([]);

      await Promise.resolve();
      ctx.requestStop();

      expect(heard).toEqual(['late failed']);
    });

    it('tells a listener that another one registers during the stop request on the next microtask, once', async () => {
      const { run: ctx } = run();
      const heard: string[] = [];
      ctx.addListener({
        runStopRequested: () => ctx.addListener(recorder('added', heard)),
        runSettled: () => {},
      });

      ctx.requestStop();
      expect(heard).toEqual([]);
      await Promise.resolve();

      expect(heard).toEqual(['added stop']);
    });

    it('reports a throwing listener under the hook it failed in, and still tells the others', () => {
      const { run: ctx, report } = run();
      const heard: string[] = [];
      const stopError = new Error('stop');
      const settleError = new Error('settle');
      ctx.addListener({
        runStopRequested: () => {
          throw stopError;
        },
        runSettled: () => {
          throw settleError;
        },
      });
      ctx.addListener(recorder('after', heard));

      ctx.requestStop();
      ctx.settle({ kind: 'stopped' });

      expect(report.mock.calls).toEqual([
        ['onStopRequested', stopError],
        ['onSettled', settleError],
      ]);
      expect(heard).toEqual(['after stop', 'after stopped']);
    });
  });

  describe('listenerFor', () => {
    it('finds the listener registered with a key among several, and none once the run has settled', () => {
      const { run: ctx } = run();
      const heard: string[] = [];
      const first = {};
      const second = {};
      const a = recorder('a', heard, first);
      const b = recorder('b', heard, second);
      ctx.onSettled(() => {});
      ctx.addListener(a);
      ctx.addListener(b);

      expect(ctx.listenerFor(first)).toBe(a);
      expect(ctx.listenerFor(second)).toBe(b);
      expect(ctx.listenerFor({})).toBeUndefined();

      ctx.settle({ kind: 'completed' });
      expect(ctx.listenerFor(first)).toBeUndefined();
    });

    it('finds a single listener by its key, and none without one', () => {
      const { run: ctx } = run();
      const key = {};
      const only = recorder('only', [], key);
      expect(ctx.listenerFor(key)).toBeUndefined();

      ctx.addListener(only);

      expect(ctx.listenerFor(key)).toBe(only);
      expect(ctx.listenerFor({})).toBeUndefined();
    });
  });
});

describe('taskRunHooks', () => {
  const hooks: TaskRunHooks = {
    stopRequested: false,
    settled: false,
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

describe('listenToRun', () => {
  it('registers one listener on a run of a group', () => {
    const { run: ctx } = run();
    const heard: string[] = [];
    const key = {};
    const listener = recorder('lease', heard, key);

    listenToRun(ctx, listener);
    ctx.requestStop();
    ctx.settle({ kind: 'stopped' });

    expect(heard).toEqual(['lease stop', 'lease stopped']);
  });

  it('registers as two callbacks on hooks that take no listener', () => {
    const stopCallbacks: (() => void)[] = [];
    const settledCallbacks: ((outcome: TaskOutcome) => void)[] = [];
    const hooks: TaskRunHooks = {
      stopRequested: false,
      settled: false,
      onStopRequested: (callback) => {
        stopCallbacks.push(callback);
        return () => {};
      },
      onSettled: (callback) => {
        settledCallbacks.push(callback);
      },
    };
    const heard: string[] = [];

    listenToRun(hooks, recorder('lease', heard));
    for (const callback of stopCallbacks) callback();
    for (const callback of settledCallbacks) callback({ kind: 'completed' });

    expect(heard).toEqual(['lease stop', 'lease completed']);
  });
});
