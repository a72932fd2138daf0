import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GroupEvent } from './group-events.js';
import type { TaskContext } from './task-context.js';
import { TaskGroup } from './task-group.js';
import type { TaskGroupOptions } from './task-group-options.js';
import { taskRunHooks } from './task-run-hooks.js';
import { GroupGaveUpError } from '../errors/group-gave-up-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { seededRandom } from '../util/random.js';
import type { ChildExit, ChildParent, SupervisedChild } from '../supervisor/child.js';

/** A backoff without randomness: the n-th failure waits exactly 100 * 2^(n-1) ms. */
const EXACT = { minMs: 100, maxMs: 1_000, jitter: 0 } as const;

function group(options: Partial<TaskGroupOptions> & Pick<TaskGroupOptions, 'task'>): TaskGroup {
  return new TaskGroup({ name: 'workers', backoff: EXACT, ...options });
}

function record(target: TaskGroup): GroupEvent[] {
  const events: GroupEvent[] = [];
  target.on((event) => events.push(event));
  return events;
}

function types(events: readonly GroupEvent[]): string[] {
  return events.map((event) => event.type);
}

/** Runs due immediates and timers and the microtasks between them, without advancing the clock. */
async function turn(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

/** A task that waits for its signal, then returns. */
async function untilStopped(ctx: TaskContext): Promise<void> {
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
}

function fakeParent(path: readonly string[] = ['root']) {
  const exits: ChildExit[] = [];
  const parent: ChildParent = {
    path,
    childExited: (_child: SupervisedChild, exit: ChildExit) => exits.push(exit),
  };
  return { parent, exits };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TaskGroup', () => {
  describe('constructor', () => {
    it('rejects an empty name', () => {
      expect(() => new TaskGroup({ name: ' ', task: async () => {} })).toThrow(InvalidOptionError);
      expect(() => new TaskGroup({ name: '', task: async () => {} })).toThrow(/"name"/);
    });

    it('rejects a task that is not a function, naming the group', () => {
      const options = { name: 'mailer', task: 'run' } as unknown as TaskGroupOptions;
      expect(() => new TaskGroup(options)).toThrow(/Invalid option "task" for group "mailer"/);
    });

    it.each([-1, 1.5, Number.NaN, '2', Infinity])('rejects the size %s', (size) => {
      const options = { name: 'g', task: async () => {}, size } as unknown as TaskGroupOptions;
      expect(() => new TaskGroup(options)).toThrow(
        /"size" for group "g".*integer from 0 to 1000000/,
      );
    });

    it('rejects an unknown restart policy', () => {
      const options = { name: 'g', task: async () => {}, restart: 'sometimes' };
      expect(() => new TaskGroup(options as unknown as TaskGroupOptions)).toThrow(
        'expected one of "always", "on-failure", "never", received "sometimes"',
      );
    });

    it('suggests the restart policy a typo was meant to be', () => {
      const options = { name: 'g', task: async () => {}, restart: 'on-failur' };
      expect(() => new TaskGroup(options as unknown as TaskGroupOptions)).toThrow(
        '"never" (did you mean "on-failure"?), received "on-failur"',
      );
    });

    it.each([
      [{ maxRestarts: -1, withinMs: 1000 }, 'intensity.maxRestarts'],
      [{ maxRestarts: 1.5, withinMs: 1000 }, 'intensity.maxRestarts'],
      [{ maxRestarts: 3, withinMs: 0 }, 'intensity.withinMs'],
      [null, 'intensity'],
      [true, 'intensity'],
    ])('rejects the intensity %j, naming %s', (intensity, option) => {
      const options = { name: 'g', task: async () => {}, intensity };
      expect(() => new TaskGroup(options as unknown as TaskGroupOptions)).toThrow(
        expect.objectContaining({ option, owner: 'group "g"' }),
      );
    });

    it.each([-1, Number.NaN, 2 ** 31, '5'])('rejects the shutdown timeout %s', (ms) => {
      const options = { name: 'g', task: async () => {}, shutdownTimeoutMs: ms };
      expect(() => new TaskGroup(options as unknown as TaskGroupOptions)).toThrow(
        expect.objectContaining({ option: 'shutdownTimeoutMs' }),
      );
    });

    it('rejects a signal that is not an AbortSignal', () => {
      const options = { name: 'g', task: async () => {}, signal: { aborted: false } };
      expect(() => new TaskGroup(options as unknown as TaskGroupOptions)).toThrow(
        expect.objectContaining({ option: 'signal' }),
      );
    });

    it('names the backoff option and the value received', () => {
      const options = { name: 'g', task: async () => {}, backoff: { minMs: 10, maxMs: 5 } };
      expect(() => new TaskGroup(options)).toThrow(
        expect.objectContaining({ option: 'backoff.maxMs', received: 5, owner: 'group "g"' }),
      );
    });

    it('starts nothing', async () => {
      const task = vi.fn(async () => {});
      const built = group({ task });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(task).not.toHaveBeenCalled();
      expect(built.status().state).toEqual({ kind: 'idle' });
    });
  });

  describe('start', () => {
    it('runs every slot on a later turn, with its index, attempt 1 and the group name', async () => {
      const seen: { index: number; attempt: number; group: string }[] = [];
      const built = group({
        size: 3,
        task: async ({ index, attempt, group: name }) => {
          seen.push({ index, attempt, group: name });
          await new Promise(() => {});
        },
      });

      built.start();
      expect(seen).toEqual([]);
      await turn();

      expect(seen).toEqual([0, 1, 2].map((index) => ({ index, attempt: 1, group: 'workers' })));
      expect(built.status()).toMatchObject({ running: 3, state: { kind: 'running' } });
    });

    it('does nothing while running', async () => {
      const task = vi.fn(untilStopped);
      const built = group({ task });
      built.start();
      built.start();
      await turn();
      built.start();
      await turn();
      expect(task).toHaveBeenCalledTimes(1);
      await built.stop();
    });
  });

  describe('task outcomes', () => {
    it('reports a resolved run as completed and does not restart it under on-failure', async () => {
      const task = vi.fn(async () => {});
      const built = group({ task });
      const events = record(built);

      built.start();
      await vi.advanceTimersByTimeAsync(10_000);

      expect(task).toHaveBeenCalledTimes(1);
      expect(types(events)).toEqual(['started', 'completed']);
    });

    it('treats a task returning a plain value as completed', async () => {
      const built = group({ task: () => 42 });
      const events = record(built);
      built.start();
      await turn();
      expect(types(events)).toEqual(['started', 'completed']);
    });

    it('reports a rejection as failed with its error', async () => {
      const error = new Error('boom');
      const built = group({ task: async () => Promise.reject(error), restart: 'never' });
      const events = record(built);
      built.start();
      await turn();
      expect(events[1]).toMatchObject({ type: 'failed', index: 0, attempt: 1, error });
    });

    it('follows a thenable that is not a native promise, settling once', async () => {
      const twice: PromiseLike<void> = {
        then: (resolve, reject) => {
          resolve?.();
          reject?.(new Error('late'));
          return Promise.resolve() as never;
        },
      };
      const built = group({ task: () => twice });
      const events = record(built);
      built.start();
      await turn();
      expect(types(events)).toEqual(['started', 'completed']);
    });

    it('fails a run whose thenable cannot even be read', async () => {
      const hostile = {
        get then(): never {
          throw new Error('no then');
        },
      };
      const built = group({ task: () => hostile, restart: 'never' });
      const events = record(built);
      built.start();
      await turn();
      expect(events[1]).toMatchObject({ type: 'failed', error: { message: 'no then' } });
    });

    it('reports a run that throws after its stop was requested as stopped', async () => {
      const built = group({
        task: async (ctx) => {
          await untilStopped(ctx);
          throw new Error('interrupted');
        },
      });
      const events = record(built);
      built.start();
      await turn();

      await built.stop();
      expect(types(events)).toEqual(['started', 'task-stopped', 'stopped']);
      expect(built.status().failures).toBe(0);
    });
  });

  describe('restarts', () => {
    it('restarts a failed task after its backoff, in the same slot, with the next attempt', async () => {
      const attempts: number[] = [];
      const built = group({
        size: 2,
        task: async ({ index, attempt }) => {
          attempts.push(attempt);
          if (index === 1 && attempt === 1) throw new Error('first try');
          await new Promise(() => {});
        },
      });
      const events = record(built);

      built.start();
      await turn();
      expect(events.find((event) => event.type === 'restarting')).toMatchObject({
        index: 1,
        attempt: 2,
        delayMs: 100,
        failures: 1,
      });
      await vi.advanceTimersByTimeAsync(99);
      expect(attempts).toEqual([1, 1]);
      await vi.advanceTimersByTimeAsync(1);
      expect(attempts).toEqual([1, 1, 2]);
      expect(built.status()).toMatchObject({ restarts: 1, failures: 1, running: 2 });
    });

    it('grows the wait with consecutive failures, capped at maxMs', async () => {
      const built = group({
        task: async () => Promise.reject(new Error('down')),
        intensity: false,
      });
      const events = record(built);
      built.start();
      await vi.advanceTimersByTimeAsync(5_000);

      const delays = events.flatMap((event) =>
        event.type === 'restarting' ? [event.delayMs] : [],
      );
      expect(delays.slice(0, 7)).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
      await built.stop();
    });

    it('resets the failure count after a run that lasted resetAfterMs', async () => {
      const built = group({
        backoff: { ...EXACT, resetAfterMs: 1_000 },
        intensity: false,
        task: async ({ attempt }) => {
          if (attempt === 3) await new Promise((resolve) => setTimeout(resolve, 1_000));
          throw new Error('down');
        },
      });
      const events = record(built);
      built.start();
      await vi.advanceTimersByTimeAsync(1_500);

      const waits = events.flatMap((event) =>
        event.type === 'restarting' ? [[event.failures, event.delayMs]] : [],
      );
      expect(waits.slice(0, 3)).toEqual([
        [1, 100],
        [2, 200],
        [1, 100],
      ]);
      await built.stop();
    });

    it('restarts a completed task under always after the minimum wait, with 0 failures', async () => {
      const task = vi.fn(async () => {});
      const built = group({ task, restart: 'always', intensity: false });
      const events = record(built);
      built.start();
      await turn();
      expect(events.at(-1)).toMatchObject({ type: 'restarting', delayMs: 100, failures: 0 });
      await vi.advanceTimersByTimeAsync(100);
      expect(task).toHaveBeenCalledTimes(2);
      await built.stop();
    });

    it('resets consecutive failures after a completion under always', async () => {
      const built = group({
        restart: 'always',
        intensity: false,
        task: async ({ attempt }) => {
          if (attempt !== 3) throw new Error('flaky');
        },
      });
      const events = record(built);
      built.start();
      await vi.advanceTimersByTimeAsync(1_000);
      const failures = events.flatMap((event) =>
        event.type === 'restarting' ? [event.failures] : [],
      );
      expect(failures.slice(0, 4)).toEqual([1, 2, 0, 1]);
      await built.stop();
    });

    it('never restarts under never, and ends the run', async () => {
      const task = vi.fn(async () => Promise.reject(new Error('once')));
      const built = group({ task, restart: 'never', size: 2 });
      built.start();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(task).toHaveBeenCalledTimes(2);
      expect(built.status().state).toEqual({ kind: 'completed' });
    });

    it('keeps its lifetime counters across runs', async () => {
      const built = group({ task: async () => Promise.reject(new Error('x')), intensity: false });
      built.start();
      await vi.advanceTimersByTimeAsync(150);
      await built.stop();
      built.start();
      await vi.advanceTimersByTimeAsync(150);
      await built.stop();
      expect(built.status()).toMatchObject({ restarts: 4, failures: 4 });
    });
  });

  describe('giving up', () => {
    it('gives up past its intensity, with an error carrying the limit and the last failure', async () => {
      const cause = new Error('database down');
      const built = group({
        task: async () => Promise.reject(cause),
        intensity: { maxRestarts: 3, withinMs: 10_000 },
      });
      const events = record(built);
      built.start();
      await vi.advanceTimersByTimeAsync(10_000);

      expect(events.filter((event) => event.type === 'restarting')).toHaveLength(3);
      const gaveUp = events.find((event) => event.type === 'gave-up');
      const error = gaveUp?.type === 'gave-up' ? gaveUp.error : undefined;
      expect(error).toBeInstanceOf(GroupGaveUpError);
      expect(error).toMatchObject({
        code: 'STAGE_GROUP_GAVE_UP',
        group: 'workers',
        limit: { maxRestarts: 3, withinMs: 10_000 },
        cause,
      });
      expect(error?.message).toMatch(/more than 3 restarts within 10000 ms.*database down/);
      expect(built.status().state).toMatchObject({ kind: 'gave-up', error });
      expect(types(events).slice(-2)).toEqual(['gave-up', 'stopped']);
    });

    it('counts restarts of every slot in one sliding window', async () => {
      const built = group({
        size: 2,
        intensity: { maxRestarts: 3, withinMs: 1_000 },
        backoff: { minMs: 0, maxMs: 0 },
        task: async (ctx) => {
          const { index, attempt } = ctx;
          // Slot 0 fails twice at once, slot 1 once at once and again 2 s later.
          if (index === 0 && attempt <= 2) throw new Error('a');
          if (index === 1 && attempt === 1) throw new Error('b');
          if (index === 1 && attempt === 2) {
            await new Promise((resolve) => setTimeout(resolve, 2_000));
            throw new Error('c');
          }
          await untilStopped(ctx);
        },
      });
      const events = record(built);
      built.start();
      await vi.advanceTimersByTimeAsync(3_000);

      // Three restarts at once fill the window; the fourth comes 2 s later, when they have left it.
      expect(events.filter((event) => event.type === 'restarting')).toHaveLength(4);
      expect(built.status().state.kind).toBe('running');
      await built.stop();
    });

    it('stops its other tasks and reports the failure to its parent after they settled', async () => {
      const { parent, exits } = fakeParent();
      const stopped = vi.fn();
      const built = group({
        size: 2,
        intensity: { maxRestarts: 0, withinMs: 1_000 },
        task: async (ctx) => {
          if (ctx.index === 0) {
            await new Promise((resolve) => setTimeout(resolve, 10));
            throw new Error('fatal');
          }
          await untilStopped(ctx);
          await new Promise((resolve) => setTimeout(resolve, 50));
          stopped();
        },
      });
      built.setParent(parent);
      built.start();
      await vi.advanceTimersByTimeAsync(10);

      expect(built.status().state.kind).toBe('gave-up');
      expect(exits).toEqual([]);
      await vi.advanceTimersByTimeAsync(50);
      expect(stopped).toHaveBeenCalledOnce();
      expect(exits).toEqual([{ kind: 'failed', error: expect.any(GroupGaveUpError) }]);
    });

    it('abandons a task ignoring its signal after shutdownTimeoutMs when it gives up', async () => {
      const { parent, exits } = fakeParent();
      const built = group({
        size: 2,
        shutdownTimeoutMs: 300,
        intensity: { maxRestarts: 0, withinMs: 1_000 },
        task: async ({ index }) => {
          if (index === 0) {
            await new Promise((resolve) => setTimeout(resolve, 10));
            throw new Error('fatal');
          }
          await new Promise(() => {});
        },
      });
      built.setParent(parent);
      const events = record(built);
      built.start();
      await vi.advanceTimersByTimeAsync(309);
      expect(exits).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);

      expect(events.at(-1)).toMatchObject({
        type: 'stopped',
        report: { settled: 0, abandoned: [{ index: 1, attempt: 1 }], clean: false },
      });
      expect(exits).toHaveLength(1);
    });

    it('begins a fresh window when started again', async () => {
      const task = vi.fn(async () => Promise.reject(new Error('x')));
      const built = group({ task, intensity: { maxRestarts: 1, withinMs: 60_000 } });
      built.start();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(task).toHaveBeenCalledTimes(2);
      expect(built.status().state.kind).toBe('gave-up');

      built.start();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(task).toHaveBeenCalledTimes(4);
      expect(built.status().state.kind).toBe('gave-up');
    });

    it('gives up on completions under always, without a cause', async () => {
      const built = group({
        task: async () => {},
        restart: 'always',
        intensity: { maxRestarts: 2, withinMs: 1_000 },
      });
      built.start();
      await vi.advanceTimersByTimeAsync(1_000);
      const state = built.status().state;
      expect(state.kind === 'gave-up' && state.error.cause).toBeUndefined();
      expect(state.kind === 'gave-up' && state.error.message).toMatch(/completed at once/);
    });

    it('gives up after 6.3 to 18.9 s of a task failing at once, with the defaults', async () => {
      for (let seed = 0; seed < 20; seed++) {
        const built = new TaskGroup({
          name: 'defaults',
          task: async () => Promise.reject(new Error('x')),
          backoff: { random: seededRandom(seed) },
        });
        const started = Date.now();
        let gaveUpAfter = 0;
        built.on((event) => {
          if (event.type === 'gave-up') gaveUpAfter = Date.now() - started;
        });
        built.start();
        await vi.advanceTimersByTimeAsync(30_000);
        expect(gaveUpAfter).toBeGreaterThanOrEqual(6_300);
        expect(gaveUpAfter).toBeLessThanOrEqual(18_901);
      }
    });

    it('uses 6 restarts per slot within 30 s by default', async () => {
      const built = new TaskGroup({
        name: 'default',
        size: 2,
        task: async () => Promise.reject(new Error('x')),
      });
      const events = record(built);
      built.start();
      await vi.advanceTimersByTimeAsync(30_000);
      expect(events.filter((event) => event.type === 'restarting')).toHaveLength(12);
      expect(built.status().state.kind).toBe('gave-up');
    });
  });

  describe('stop', () => {
    it('fires the signals, waits for the tasks and reports them settled', async () => {
      const built = group({ size: 2, task: untilStopped });
      const events = record(built);
      built.start();
      await turn();

      const report = await built.stop();
      expect(report).toEqual({ settled: 2, abandoned: [], clean: true });
      expect(built.status().state).toEqual({ kind: 'stopped', report });
      expect(types(events)).toEqual([
        'started',
        'started',
        'task-stopped',
        'task-stopped',
        'stopped',
      ]);
    });

    it('reports a task that ignores its signal as abandoned at the deadline', async () => {
      const built = group({
        size: 2,
        shutdownTimeoutMs: 1_000,
        task: async ({ index }) => {
          await new Promise((resolve) => setTimeout(resolve, index === 0 ? 10 : 60_000));
        },
      });
      built.start();
      await turn();

      const stopping = built.stop();
      expect(built.status().state).toEqual({ kind: 'stopping' });
      await vi.advanceTimersByTimeAsync(1_000);
      await expect(stopping).resolves.toEqual({
        settled: 1,
        abandoned: [{ index: 1, attempt: 1 }],
        clean: false,
      });
      expect(built.status().running).toBe(0);
    });

    it('honours a timeout given to stop', async () => {
      const built = group({ task: async () => new Promise(() => {}) });
      built.start();
      await turn();
      const stopping = built.stop({ timeoutMs: 10 });
      await vi.advanceTimersByTimeAsync(10);
      await expect(stopping).resolves.toMatchObject({ clean: false });
    });

    it('throws a typed error for a bad timeout and stops nothing', async () => {
      const built = group({ task: untilStopped });
      built.start();
      await turn();
      expect(() => built.stop({ timeoutMs: -5 })).toThrow(
        expect.objectContaining({ option: 'timeoutMs', received: -5 }),
      );
      expect(built.status().state.kind).toBe('running');
      await built.stop();
    });

    it('returns the same promise to concurrent calls and the same report afterwards', async () => {
      const built = group({ task: untilStopped });
      built.start();
      await turn();
      const first = built.stop();
      expect(built.stop()).toBe(first);
      const report = await first;
      await expect(built.stop()).resolves.toBe(report);
    });

    it('resolves at once with nothing to stop when idle', async () => {
      const built = group({ task: untilStopped });
      await expect(built.stop()).resolves.toEqual({ settled: 0, abandoned: [], clean: true });
      expect(built.status().state).toEqual({ kind: 'idle' });
    });

    it('runs stop hooks synchronously without creating an AbortController', async () => {
      const calls: string[] = [];
      let hooked: TaskContext | undefined;
      const built = group({
        task: (ctx) => {
          hooked = ctx;
          const hooks = taskRunHooks(ctx)!;
          return new Promise<void>((resolve) => {
            hooks.onStopRequested(() => {
              calls.push('stop requested');
              resolve();
            });
          });
        },
      });
      built.start();
      await turn();

      const created = vi.spyOn(globalThis, 'AbortController');
      const stopping = built.stop();
      expect(calls).toEqual(['stop requested']);
      expect(created).not.toHaveBeenCalled();
      await stopping;
      expect(taskRunHooks(hooked!)?.stopRequested).toBe(true);
    });

    it('runs settlement hooks before the matching event', async () => {
      const order: string[] = [];
      const built = group({
        restart: 'never',
        task: async (ctx) => {
          taskRunHooks(ctx)!.onSettled((outcome) => order.push(`hook ${outcome.kind}`));
          throw new Error('x');
        },
      });
      built.on((event) => order.push(event.type));
      built.start();
      await turn();
      expect(order).toEqual(['started', 'hook failed', 'failed']);
    });

    it('begins a new run after the stop when started during it, unless stopped again', async () => {
      const task = vi.fn(async (ctx: TaskContext) => {
        await untilStopped(ctx);
        await new Promise((resolve) => setTimeout(resolve, 100));
      });
      const built = group({ task });
      built.start();
      await turn();

      const stopping = built.stop();
      built.start();
      await vi.advanceTimersByTimeAsync(100);
      await stopping;
      // A zero-delay timer armed during a fake-timer tick runs 1 ms later.
      await vi.advanceTimersByTimeAsync(1);
      expect(task).toHaveBeenCalledTimes(2);
      expect(built.status().state.kind).toBe('running');

      const again = built.stop();
      built.start();
      built.stop();
      await vi.advanceTimersByTimeAsync(1_000);
      await again;
      expect(task).toHaveBeenCalledTimes(2);
      expect(built.status().state.kind).toBe('stopped');
    });

    it('does not report a stop to its parent', async () => {
      const { parent, exits } = fakeParent();
      const built = group({ task: untilStopped });
      built.setParent(parent);
      built.start();
      await turn();
      await built.stop();
      expect(exits).toEqual([]);
    });
  });

  describe('the end of a run on its own', () => {
    it('completes when every slot completed under on-failure, and tells its parent', async () => {
      const { parent, exits } = fakeParent();
      const built = group({ size: 3, task: async () => {} });
      built.setParent(parent);
      built.start();
      await turn();
      expect(built.status().state).toEqual({ kind: 'completed' });
      expect(exits).toEqual([{ kind: 'completed' }]);
    });

    it('reports the last failure to its parent when a slot failed under never', async () => {
      const { parent, exits } = fakeParent();
      const error = new Error('no luck');
      const built = group({
        size: 2,
        restart: 'never',
        task: async ({ index }) => {
          await new Promise((resolve) => setTimeout(resolve, index * 10));
          if (index === 1) throw error;
        },
      });
      built.setParent(parent);
      built.start();
      await vi.advanceTimersByTimeAsync(10);
      expect(exits).toEqual([{ kind: 'failed', error }]);
      expect(built.status().lastFailure).toMatchObject({ error, index: 1, attempt: 1 });
    });

    it('reports the failure to its parent under never even when a later slot completes', async () => {
      const { parent, exits } = fakeParent();
      const error = new Error('slot 0 failed');
      const built = group({
        size: 2,
        restart: 'never',
        task: async ({ index }) => {
          await new Promise((resolve) => setTimeout(resolve, index * 10));
          if (index === 0) throw error;
        },
      });
      built.setParent(parent);
      built.start();
      await vi.advanceTimersByTimeAsync(10);
      expect(built.status().failures).toBe(1);
      expect(exits).toEqual([{ kind: 'failed', error }]);
    });

    it('keeps a group of size 0 running until it is stopped', async () => {
      const built = group({ size: 0, task: async () => {} });
      built.start();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(built.status().state.kind).toBe('running');
      await expect(built.stop()).resolves.toEqual({ settled: 0, abandoned: [], clean: true });
    });

    it('starts a completed group again as a new run, with attempts from 1', async () => {
      const attempts: number[] = [];
      const built = group({ task: async ({ attempt }) => void attempts.push(attempt) });
      built.start();
      await turn();
      built.start();
      await turn();
      expect(attempts).toEqual([1, 1]);
    });
  });

  describe('events and status', () => {
    it('carries the path from the parent in every event and in the status', async () => {
      const built = group({ task: async () => {} });
      built.setParent(fakeParent(['root', 'billing']).parent);
      const events = record(built);
      built.start();
      await turn();
      expect(built.path).toEqual(['root', 'billing', 'workers']);
      expect(events.every((event) => event.path.join('/') === 'root/billing/workers')).toBe(true);
      built.setParent(undefined);
      expect(built.status().path).toEqual(['workers']);
    });

    it('stops delivering to an unsubscribed listener', async () => {
      const built = group({ task: async () => {} });
      const listener = vi.fn();
      const unsubscribe = built.on(listener);
      unsubscribe();
      unsubscribe();
      built.start();
      await turn();
      expect(listener).not.toHaveBeenCalled();
    });

    it('rejects a listener that is not a function', () => {
      const built = group({ task: async () => {} });
      expect(() => built.on('log' as unknown as () => void)).toThrow(InvalidOptionError);
    });

    it('shows the running count, the tasks backing off, the start time and the last failure', async () => {
      vi.setSystemTime(1_000);
      const error = new Error('late');
      const built = group({
        size: 2,
        task: async ({ index, attempt }) => {
          if (index === 1 && attempt === 1) throw error;
          await new Promise(() => {});
        },
      });
      built.start();
      await turn();
      expect(built.status()).toEqual({
        name: 'workers',
        path: ['workers'],
        state: { kind: 'running', since: 1_000 },
        size: 2,
        restart: 'on-failure',
        running: 1,
        backingOff: 1,
        restarts: 1,
        failures: 1,
        lastFailure: { error, index: 1, attempt: 1, at: 1_000 },
      });
    });
  });

  describe('the parent signal', () => {
    it('stops the group when it fires, as stop() would', async () => {
      const controller = new AbortController();
      const built = group({ task: untilStopped, signal: controller.signal });
      const events = record(built);
      built.start();
      await turn();
      controller.abort();
      await turn();
      expect(built.status().state).toMatchObject({ kind: 'stopped', report: { clean: true } });
      expect(types(events)).toContain('stopped');
    });

    it('stops at once, running no task, when it has already fired', async () => {
      const task = vi.fn(untilStopped);
      const built = group({ task, signal: AbortSignal.abort() });
      built.start();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(task).not.toHaveBeenCalled();
      expect(built.status().state.kind).toBe('stopped');
    });
  });

  it('does not call the task when a started listener stopped the group', async () => {
    const task = vi.fn(untilStopped);
    const built = group({ task });
    built.on((event) => {
      if (event.type === 'started') void built.stop();
    });
    built.start();
    await turn();
    expect(task).not.toHaveBeenCalled();
    expect(built.status().state).toMatchObject({ kind: 'stopped', report: { settled: 1 } });
  });
});
