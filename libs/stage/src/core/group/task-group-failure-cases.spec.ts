import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GroupEvent } from './group-events.js';
import type { TaskContext } from './task-context.js';
import { TaskGroup } from './task-group.js';
import { taskRunHooks } from './task-run-hooks.js';
import { GroupGaveUpError } from '../errors/group-gave-up-error.js';
import { ThrownValueError } from '../errors/thrown-value-error.js';
import { seededRandom } from '../util/random.js';

async function untilStopped(ctx: TaskContext): Promise<void> {
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function record(group: TaskGroup): GroupEvent[] {
  const events: GroupEvent[] = [];
  group.on((event) => events.push(event));
  return events;
}

function countTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TaskGroup failure cases', () => {
  it('G1: keeps at most one abort listener on the parent signal across 200 restarts', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const parent = new AbortController();
    let calls = 0;
    let reached!: () => void;
    const done = new Promise<void>((resolve) => (reached = resolve));
    const group = new TaskGroup({
      name: 'g1',
      restart: 'always',
      intensity: false,
      backoff: { minMs: 0, maxMs: 0 },
      signal: parent.signal,
      task: (ctx) => {
        ctx.signal.addEventListener('abort', () => {});
        if (++calls === 201) reached();
        throw new Error('at once');
      },
    });

    group.start();
    await done;
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    await group.stop();
    await nextMacrotask();
    process.off('warning', onWarning);

    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual(
      [],
    );
  });

  it('G2: leaves no timer behind when stopped during a long backoff, and stops at once', async () => {
    const baseline = countTimers();
    const group = new TaskGroup({
      name: 'g2',
      backoff: { minMs: 60_000, maxMs: 60_000 },
      task: async () => Promise.reject(new Error('down')),
    });
    const restarting = new Promise<void>((resolve) =>
      group.on((event) => event.type === 'restarting' && resolve()),
    );
    group.start();
    await restarting;
    expect(countTimers()).toBe(baseline + 1);

    const first = await Promise.race([
      group.stop().then(() => 'stop'),
      nextMacrotask().then(() => 'next macrotask'),
    ]);
    expect(first).toBe('stop');
    expect(countTimers()).toBe(baseline);
  });

  describe('G3: a synchronous throw is a failure like any other', () => {
    async function failuresOf(task: () => unknown): Promise<GroupEvent[]> {
      vi.useFakeTimers();
      const group = new TaskGroup({
        name: 'g3',
        backoff: { minMs: 100, jitter: 0 },
        intensity: { maxRestarts: 2, withinMs: 10_000 },
        task,
      });
      const events = record(group);
      group.start();
      await vi.advanceTimersByTimeAsync(1_000);
      return events;
    }

    it('counts, restarts and reports a synchronous throw as it does a rejection', async () => {
      const error = new Error('sync');
      const thrown = await failuresOf(() => {
        throw error;
      });
      const rejected = await failuresOf(async () => Promise.reject(error));
      expect(thrown).toEqual(rejected);
      expect(thrown.filter((event) => event.type === 'failed')).toHaveLength(3);
    });

    it.each([
      ['a string', 'boom'],
      ['undefined', undefined],
      ['a plain object', { code: 42 }],
    ])('wraps %s in an Error that keeps the original', async (_label, value) => {
      const events = await failuresOf(() => {
        throw value;
      });
      const failed = events.filter((event) => event.type === 'failed');
      expect(failed).toHaveLength(3);
      for (const event of failed) {
        expect(event.error).toBeInstanceOf(ThrownValueError);
        expect((event.error as ThrownValueError).value).toBe(value);
      }
      expect(events.at(-2)).toMatchObject({ type: 'gave-up' });
    });
  });

  it('G4: runs no task body inside the call that starts it, whatever the state', async () => {
    vi.useFakeTimers();
    let inside = false;
    const bodiesInside: string[] = [];
    let label = '';
    let behaviour: 'wait' | 'complete' | 'fail' = 'wait';
    const group = new TaskGroup({
      name: 'g4',
      intensity: { maxRestarts: 0, withinMs: 1_000 },
      task: async (ctx) => {
        if (inside) bodiesInside.push(label);
        if (behaviour === 'fail') throw new Error('fatal');
        if (behaviour === 'wait') await untilStopped(ctx);
      },
    });
    const call = async (name: string, action: () => void) => {
      label = name;
      inside = true;
      action();
      inside = false;
      await vi.advanceTimersByTimeAsync(1);
    };

    await call('idle', () => group.start());
    await call('resize', () => group.resize(2));
    await group.stop();
    await call('stopped', () => group.start());
    const stopping = group.stop();
    await call('stopping', () => group.start());
    await stopping;
    await vi.advanceTimersByTimeAsync(1);
    await group.stop();
    behaviour = 'complete';
    await call('complete', () => group.start());
    expect(group.status().state.kind).toBe('completed');
    await call('completed', () => group.start());
    behaviour = 'fail';
    await call('give up', () => group.start());
    expect(group.status().state.kind).toBe('gave-up');
    await call('gave up', () => group.start());

    expect(bodiesInside).toEqual([]);
  });

  describe('G5: a task that resolves at once under restart always', () => {
    it('never monopolises the event loop, even with a zero backoff', async () => {
      let restarts = 0;
      const group = new TaskGroup({
        name: 'g5',
        restart: 'always',
        intensity: false,
        backoff: { minMs: 0, maxMs: 0 },
        task: () => {
          restarts++;
        },
      });
      group.start();
      await sleep(5);
      const seenByTimer = restarts;
      await group.stop();

      expect(seenByTimer).toBeGreaterThan(1);
      expect(group.status().state.kind).toBe('stopped');
    });

    it('gives up through its intensity and says so', async () => {
      vi.useFakeTimers();
      const group = new TaskGroup({
        name: 'g5',
        restart: 'always',
        backoff: { minMs: 0, maxMs: 0 },
        task: async () => {},
      });
      const events = record(group);
      group.start();
      await vi.advanceTimersByTimeAsync(100);
      expect(events.filter((event) => event.type === 'gave-up')).toHaveLength(1);
      expect(group.status().state.kind).toBe('gave-up');
    });
  });

  describe('G6: nothing restarts after stop', () => {
    it('calls the task no more once stop() resolved, though a backoff was pending', async () => {
      vi.useFakeTimers();
      const task = vi.fn(async (ctx: TaskContext) => {
        if (ctx.index === 0) throw new Error('fails, backoff pending');
        await untilStopped(ctx);
        throw new Error('fails during the stop');
      });
      const group = new TaskGroup({ name: 'g6', size: 2, task });
      group.start();
      await vi.advanceTimersByTimeAsync(1);
      expect(task).toHaveBeenCalledTimes(2);

      await group.stop();
      await vi.advanceTimersByTimeAsync(600_000);
      expect(task).toHaveBeenCalledTimes(2);
    });

    it('calls the task no more once scope() resolved', async () => {
      vi.useFakeTimers();
      const task = vi.fn(async () => Promise.reject(new Error('fails')));
      const group = new TaskGroup({ name: 'g6', task, intensity: false });
      const scoped = group.scope(sleep(50));
      await vi.advanceTimersByTimeAsync(50);
      await scoped;
      const calls = task.mock.calls.length;
      await vi.advanceTimersByTimeAsync(600_000);
      expect(task).toHaveBeenCalledTimes(calls);
    });
  });

  describe('G7: a throwing user callback', () => {
    it('reports a throwing listener as hook-failed and carries on restarting', async () => {
      vi.useFakeTimers();
      const task = vi.fn(async () => Promise.reject(new Error('down')));
      const group = new TaskGroup({
        name: 'g7',
        task,
        backoff: { minMs: 10, jitter: 0 },
        intensity: false,
      });
      const events = record(group);
      group.on(() => {
        throw new Error('bad listener');
      });
      group.start();
      await vi.advanceTimersByTimeAsync(100);

      expect(task.mock.calls.length).toBeGreaterThan(2);
      const hookFailed = events.find((event) => event.type === 'hook-failed');
      expect(hookFailed).toMatchObject({ hook: 'listener of "started"' });
      expect(hookFailed?.type === 'hook-failed' && hookFailed.error.message).toBe('bad listener');
      await expect(group.stop()).resolves.toMatchObject({ clean: true });
    });

    it('ignores a hook-failed listener that throws, without recursing', async () => {
      vi.useFakeTimers();
      const group = new TaskGroup({ name: 'g7', task: async () => {} });
      const listener = vi.fn((_event: GroupEvent) => {
        throw new Error('always throws');
      });
      group.on(listener);
      group.start();
      await vi.advanceTimersByTimeAsync(1);
      // started, its hook-failed, completed, its hook-failed
      expect(listener.mock.calls.map(([event]) => event.type)).toEqual([
        'started',
        'hook-failed',
        'completed',
        'hook-failed',
      ]);
    });

    it('falls back to the shortest wait when the random source throws', async () => {
      vi.useFakeTimers();
      const group = new TaskGroup({
        name: 'g7',
        task: async () => Promise.reject(new Error('down')),
        backoff: {
          minMs: 100,
          random: () => {
            throw new Error('no entropy');
          },
        },
      });
      const events = record(group);
      group.start();
      await vi.advanceTimersByTimeAsync(1);
      expect(events.find((event) => event.type === 'hook-failed')).toMatchObject({
        hook: 'backoff.random',
      });
      expect(events.find((event) => event.type === 'restarting')).toMatchObject({ delayMs: 100 });
      await group.stop();
    });

    it('keeps the outcome of a run whose hooks throw', async () => {
      vi.useFakeTimers();
      const group = new TaskGroup({
        name: 'g7',
        task: async (ctx) => {
          const hooks = taskRunHooks(ctx)!;
          hooks.onSettled(() => {
            throw new Error('settle hook');
          });
          hooks.onStopRequested(() => {
            throw new Error('stop hook');
          });
          await untilStopped(ctx);
        },
      });
      const events = record(group);
      group.start();
      await vi.advanceTimersByTimeAsync(1);
      await expect(group.stop()).resolves.toEqual({ settled: 1, abandoned: [], clean: true });
      expect(events.flatMap((event) => (event.type === 'hook-failed' ? [event.hook] : []))).toEqual(
        ['onStopRequested', 'onSettled'],
      );
      expect(events.map((event) => event.type)).toContain('task-stopped');
    });

    it('reports a parent that throws on childExited', async () => {
      vi.useFakeTimers();
      const group = new TaskGroup({ name: 'g7', task: async () => {} });
      group.setParent({
        path: ['root'],
        childExited: () => {
          throw new Error('bad parent');
        },
      });
      const events = record(group);
      group.start();
      await vi.advanceTimersByTimeAsync(1);
      expect(events.at(-1)).toMatchObject({ type: 'hook-failed', hook: 'parent.childExited' });
      expect(group.status().state.kind).toBe('completed');
    });
  });

  it('G9: keeps the heap flat across 100,000 immediate restarts', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let calls = 0;
    let target = 0;
    let reached: () => void = () => {};
    const group = new TaskGroup({
      name: 'g9',
      restart: 'always',
      intensity: false,
      backoff: { minMs: 0, maxMs: 0 },
      task: () => {
        if (++calls === target) reached();
        throw new Error('again');
      },
    });
    const runUntil = (count: number) =>
      new Promise<void>((resolve) => {
        target = count;
        reached = resolve;
      });

    const warmedUp = runUntil(20_000);
    group.start();
    await warmedUp;
    gc();
    const before = process.memoryUsage().heapUsed;
    await runUntil(120_000);
    gc();
    const after = process.memoryUsage().heapUsed;
    await group.stop();

    expect(after - before).toBeLessThan(2_000_000);
  });

  it('G10: spreads the first restarts of 1,000 tasks failing at once (CV > 0.2)', async () => {
    vi.useFakeTimers();
    const failedAt = Date.now();
    const restartedAt: number[] = [];
    const group = new TaskGroup({
      name: 'g10',
      size: 1_000,
      intensity: false,
      backoff: { random: seededRandom(10) },
      task: async ({ attempt }) => {
        if (attempt === 2) {
          restartedAt.push(Date.now() - failedAt);
          return;
        }
        throw new Error('dependency down');
      },
    });
    group.start();
    await vi.advanceTimersByTimeAsync(1_000);

    expect(restartedAt).toHaveLength(1_000);
    const mean = restartedAt.reduce((sum, time) => sum + time, 0) / restartedAt.length;
    const variance =
      restartedAt.reduce((sum, time) => sum + (time - mean) ** 2, 0) / restartedAt.length;
    expect(Math.sqrt(variance) / mean).toBeGreaterThan(0.2);
  });

  describe('G11: no unhandled rejection, ever', () => {
    it('raises none when tasks reject while their group stops or gives up', async () => {
      const unhandled = vi.fn();
      process.on('unhandledRejection', unhandled);
      try {
        const stopping = new TaskGroup({
          name: 'g11',
          size: 3,
          task: async (ctx) => {
            await untilStopped(ctx);
            throw new Error('rejects on stop');
          },
        });
        stopping.start();
        await nextMacrotask();
        await stopping.stop();

        const givingUp = new TaskGroup({
          name: 'g11',
          size: 3,
          intensity: { maxRestarts: 0, withinMs: 1_000 },
          shutdownTimeoutMs: 20,
          task: async (ctx) => {
            if (ctx.index === 0) throw new Error('fatal');
            await untilStopped(ctx);
            if (ctx.index === 1) throw new Error('rejects on give-up');
            await sleep(50);
            throw new Error('rejects after being abandoned');
          },
        });
        const scoped = givingUp.scope(async (signal) => {
          await new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(new Error('work rejects'))),
          );
        });
        await expect(scoped).rejects.toBeInstanceOf(GroupGaveUpError);
        await sleep(60);
        await nextMacrotask();
      } finally {
        process.off('unhandledRejection', unhandled);
      }
      expect(unhandled).not.toHaveBeenCalled();
    });
  });

  describe('G12: an old incarnation cannot touch the new one', () => {
    it('ignores a backoff armed in a previous run', async () => {
      vi.useFakeTimers();
      const task = vi.fn(async (ctx: TaskContext) => {
        if (ctx.attempt === 1 && task.mock.calls.length === 1) throw new Error('first run fails');
        await untilStopped(ctx);
      });
      const group = new TaskGroup({ name: 'g12', task, backoff: { minMs: 1_000, jitter: 0 } });
      group.start();
      await vi.advanceTimersByTimeAsync(1);
      await group.stop();
      group.start();
      await vi.advanceTimersByTimeAsync(5_000);

      expect(task.mock.calls.map(([ctx]) => ctx.attempt)).toEqual([1, 1]);
      await group.stop();
    });

    it('ignores a task abandoned by a previous run when it settles during the new one', async () => {
      vi.useFakeTimers();
      let firstRun = true;
      const group = new TaskGroup({
        name: 'g12',
        task: async (ctx) => {
          if (firstRun) {
            firstRun = false;
            await sleep(1_000);
            throw new Error('late failure of an abandoned task');
          }
          await untilStopped(ctx);
        },
      });
      group.start();
      await vi.advanceTimersByTimeAsync(1);
      const abandoning = group.stop({ timeoutMs: 0 });
      await vi.advanceTimersByTimeAsync(1);
      await expect(abandoning).resolves.toMatchObject({ clean: false });
      group.start();
      await vi.advanceTimersByTimeAsync(1);
      const events = record(group);
      await vi.advanceTimersByTimeAsync(5_000);

      expect(events).toEqual([]);
      expect(group.status()).toMatchObject({ running: 1, failures: 0, restarts: 0 });
      await group.stop();
    });

    it('does not cut a later stop short with the deadline of an earlier one', async () => {
      vi.useFakeTimers();
      let runs = 0;
      const group = new TaskGroup({
        name: 'g12',
        shutdownTimeoutMs: 1_000,
        task: async (ctx) => {
          const lingerMs = ++runs === 1 ? 900 : 200;
          await untilStopped(ctx);
          await sleep(lingerMs);
        },
      });
      group.start();
      await vi.advanceTimersByTimeAsync(1);
      // The first stop's deadline would fall at t = 1001.
      const first = group.stop();
      await vi.advanceTimersByTimeAsync(900);
      await expect(first).resolves.toMatchObject({ clean: true });
      group.start();
      await vi.advanceTimersByTimeAsync(50);

      const second = group.stop({ timeoutMs: 5_000 });
      await vi.advanceTimersByTimeAsync(200);
      await expect(second).resolves.toEqual({ settled: 1, abandoned: [], clean: true });
    });
  });
});
