import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GroupEvent } from './group-events.js';
import type { TaskContext, TaskFn } from './task-context.js';
import { TaskGroup } from './task-group.js';
import type { TaskGroupOptions } from './task-group-options.js';
import { GroupGaveUpError } from '../errors/group-gave-up-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { ThrownValueError } from '../errors/thrown-value-error.js';
import type { ChildExit } from '../supervisor/child.js';

// Each test here attacks a promise of the TaskGroup TSDoc or of DESIGN.md with hostile user code
// (odd thrown values, re-entrant callbacks, clock jumps), and failed before its fix.

/** A backoff without randomness: every failure waits exactly 100 ms. */
const FIXED = { minMs: 100, maxMs: 100, jitter: 0 } as const;

function group(options: Partial<TaskGroupOptions> & Pick<TaskGroupOptions, 'task'>): TaskGroup {
  return new TaskGroup({ name: 'adversary', backoff: FIXED, ...options });
}

function record(target: TaskGroup): GroupEvent[] {
  const events: GroupEvent[] = [];
  target.on((event) => events.push(event));
  return events;
}

function ofType<TType extends GroupEvent['type']>(
  events: readonly GroupEvent[],
  type: TType,
): Extract<GroupEvent, { type: TType }>[] {
  return events.filter((event): event is Extract<GroupEvent, { type: TType }> => {
    return event.type === type;
  });
}

async function untilStopped(ctx: TaskContext): Promise<void> {
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
}

/** Counts task bodies in progress, so a test can tell whether any runs outside the group. */
function tracked(body: TaskFn): { task: TaskFn; readonly live: number; readonly calls: number } {
  const counts = { live: 0, calls: 0 };
  return {
    task: async (ctx) => {
      counts.calls++;
      counts.live++;
      try {
        await body(ctx);
      } finally {
        counts.live--;
      }
    },
    get live() {
      return counts.live;
    },
    get calls() {
      return counts.calls;
    },
  };
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** An `Error` whose `message` getter throws, as some wrapped driver errors do. */
class UnreadableError extends Error {
  override get message(): string {
    throw new Error('message is not readable');
  }
}

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
  vi.useFakeTimers();
});

afterEach(async () => {
  vi.useRealTimers();
  // Let any late rejection surface before checking.
  await new Promise((resolve) => setImmediate(resolve));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('TaskGroup (adversarial)', () => {
  describe('odd failure values', () => {
    it.each([
      ['a revoked Proxy', revokedProxy],
      ['a Symbol', () => Symbol('odd')],
      ['null', () => null],
      [
        'a Proxy whose every trap throws',
        () =>
          new Proxy(
            {},
            {
              get: () => {
                throw new Error('get trap');
              },
              getPrototypeOf: () => {
                throw new Error('getPrototypeOf trap');
              },
              ownKeys: () => {
                throw new Error('ownKeys trap');
              },
            },
          ),
      ],
    ])('fails and restarts a run that rejects with %s', async (_label, make) => {
      const value = make();
      let runs = 0;
      const target = group({
        task: async (ctx) => {
          if (++runs <= 2) throw value;
          await untilStopped(ctx);
        },
      });
      const events = record(target);
      target.start();
      await vi.advanceTimersByTimeAsync(1_000);

      const failed = ofType(events, 'failed');
      expect(failed).toHaveLength(2);
      for (const event of failed) {
        expect(event.error).toBeInstanceOf(ThrownValueError);
        expect((event.error as ThrownValueError).value).toBe(value);
      }
      expect(target.status()).toMatchObject({ running: 1, failures: 2, restarts: 2 });
      await expect(target.stop()).resolves.toMatchObject({ clean: true });
    });

    it('fails a run that throws a revoked Proxy synchronously, crashing nothing', async () => {
      const value = revokedProxy();
      const target = group({
        intensity: { maxRestarts: 0, withinMs: 1_000 },
        task: () => {
          throw value;
        },
      });
      const events = record(target);
      target.start();
      await vi.advanceTimersByTimeAsync(10);

      expect(ofType(events, 'failed')[0]?.error).toBeInstanceOf(ThrownValueError);
      expect(target.status().state).toMatchObject({ kind: 'gave-up' });
    });

    it.each([
      ['rejects', async () => Promise.reject(new UnreadableError())],
      [
        'throws synchronously',
        () => {
          throw new UnreadableError();
        },
      ],
    ])(
      'gives up and tells its parent when a run %s with an error whose message throws',
      async (_label, task) => {
        const exits: ChildExit[] = [];
        const target = group({ intensity: { maxRestarts: 1, withinMs: 10_000 }, task });
        target.setParent({ path: ['root'], childExited: (_child, exit) => exits.push(exit) });
        target.start();
        await vi.advanceTimersByTimeAsync(1_000);

        const { state } = target.status();
        expect(state.kind).toBe('gave-up');
        const error = state.kind === 'gave-up' ? state.error : undefined;
        expect(error).toBeInstanceOf(GroupGaveUpError);
        expect(error?.cause).toBeInstanceOf(UnreadableError);
        expect(error?.message).toContain('Last failure: (its message throws when read).');
        expect(exits).toEqual([{ kind: 'failed', error }]);
      },
    );

    it('keeps an Error made in another realm as the cause, with its message', async () => {
      const foreign = runInNewContext('new Error("refused elsewhere")') as Error;
      expect(foreign instanceof Error).toBe(false);
      const target = group({
        intensity: { maxRestarts: 0, withinMs: 1_000 },
        task: async () => Promise.reject(foreign),
      });
      const events = record(target);
      target.start();
      await vi.advanceTimersByTimeAsync(10);

      expect(ofType(events, 'failed')[0]?.error).toBe(foreign);
      expect(ofType(events, 'gave-up')[0]?.error.message).toContain('refused elsewhere');
    });

    it.each([
      [
        'a promise whose own then throws',
        () => {
          const promise = new Promise<void>(() => {});
          promise.then = () => {
            throw new Error('then throws');
          };
          return promise;
        },
      ],
      [
        'a promise subclass whose then throws',
        () => {
          class Hostile<TValue> extends Promise<TValue> {
            override then(): never {
              throw new Error('then throws');
            }
          }
          return new Hostile<void>(() => {});
        },
      ],
    ])('fails a run that returns %s, without crashing the process', async (_label, task) => {
      const target = group({ intensity: { maxRestarts: 0, withinMs: 1_000 }, task });
      const events = record(target);
      target.start();
      await vi.advanceTimersByTimeAsync(10);

      expect(ofType(events, 'failed')[0]?.error.message).toBe('then throws');
      expect(target.status().state.kind).toBe('gave-up');
    });

    it('settles once a thenable that calls back twice and then throws', async () => {
      const target = group({
        task: () => ({
          then(resolve: () => void, reject: (error: unknown) => void) {
            resolve();
            reject(new Error('second call'));
            resolve();
            throw new Error('after settling');
          },
        }),
      });
      const events = record(target);
      target.start();
      await vi.advanceTimersByTimeAsync(10);

      expect(events.map((event) => event.type)).toEqual(['started', 'completed']);
      expect(target.status().state.kind).toBe('completed');
    });
  });

  describe('re-entrant user code', () => {
    it('never restarts a task once a random source stopped the group', async () => {
      const body = tracked(async () => {
        throw new Error('down');
      });
      const target: TaskGroup = group({
        task: body.task,
        backoff: {
          minMs: 10,
          maxMs: 100,
          random: () => {
            void target.stop();
            return 0.5;
          },
        },
      });
      target.start();
      await vi.advanceTimersByTimeAsync(1_000);

      expect(body.calls).toBe(1);
      expect(target.status()).toMatchObject({ state: { kind: 'stopped' }, running: 0 });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('runs no task outside its slots when a random source shrinks and regrows it', async () => {
      let resized = false;
      const body = tracked(async (ctx) => {
        if (ctx.attempt === 1 && ctx.index === 0) throw new Error('down');
        await untilStopped(ctx);
      });
      const target: TaskGroup = group({
        task: body.task,
        backoff: {
          minMs: 10,
          maxMs: 100,
          random: () => {
            if (!resized) {
              resized = true;
              target.resize(0);
              target.resize(1);
            }
            return 0.5;
          },
        },
      });
      target.start();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(target.status().running).toBe(body.live);

      await target.stop();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(body.live).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('shrinks without throwing when an abort listener of a removed task stops it', async () => {
      const target: TaskGroup = group({
        size: 3,
        task: async (ctx) => {
          ctx.signal.addEventListener('abort', () => void target.stop());
          await untilStopped(ctx);
        },
      });
      target.start();
      await vi.advanceTimersByTimeAsync(1);

      expect(() => target.resize(0)).not.toThrow();
      await expect(target.stop()).resolves.toEqual({ settled: 3, abandoned: [], clean: true });
      expect(target.status()).toMatchObject({ state: { kind: 'stopped' }, running: 0 });
    });

    it('stops every task when an abort listener of a removed task grows the group', async () => {
      const body = tracked(async (ctx) => {
        if (ctx.index === 2) ctx.signal.addEventListener('abort', () => target.resize(5));
        await untilStopped(ctx);
      });
      const target: TaskGroup = group({ size: 3, task: body.task });
      target.start();
      await vi.advanceTimersByTimeAsync(1);

      target.resize(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(target.size).toBe(5);
      expect(target.status().running).toBe(5);
      expect(body.live).toBe(5);

      await expect(target.stop()).resolves.toMatchObject({ settled: 5, clean: true });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(body.live).toBe(0);
    });

    it('still tells its parent it gave up when a stopped listener starts a new run', async () => {
      const exits: ChildExit[] = [];
      let failing = true;
      const target = group({
        intensity: { maxRestarts: 0, withinMs: 1_000 },
        task: async (ctx) => {
          if (failing) throw new Error('fatal');
          await untilStopped(ctx);
        },
      });
      target.setParent({ path: ['root'], childExited: (_child, exit) => exits.push(exit) });
      target.on((event) => {
        if (event.type !== 'stopped') return;
        failing = false;
        target.start();
      });
      target.start();
      await vi.advanceTimersByTimeAsync(10);

      expect(exits).toEqual([{ kind: 'failed', error: expect.any(GroupGaveUpError) }]);
      expect(target.status()).toMatchObject({ state: { kind: 'running' }, running: 1 });
      await target.stop();
    });

    it('resolves a stop begun by a failure message getter while the group gives up', async () => {
      const stops: Promise<unknown>[] = [];
      class StoppingError extends Error {
        override get message(): string {
          stops.push(target.stop());
          return 'stops its group when read';
        }
      }
      const target: TaskGroup = group({
        size: 2,
        intensity: { maxRestarts: 0, withinMs: 1_000 },
        task: async (ctx) => {
          if (ctx.index === 0) throw new StoppingError();
          await untilStopped(ctx);
        },
      });
      target.start();
      await vi.advanceTimersByTimeAsync(10);

      expect(stops.length).toBeGreaterThan(0);
      let resolved = false;
      void Promise.all(stops).then(() => (resolved = true));
      await vi.advanceTimersByTimeAsync(10_000);
      expect(resolved).toBe(true);
      expect(target.status()).toMatchObject({ state: { kind: 'stopped' }, running: 0 });
    });

    it('stops calling a listener another one unsubscribed during the emission', async () => {
      const heard: string[] = [];
      const target = group({ task: async () => {} });
      let unsubscribeSecond = (): void => {};
      target.on((event) => {
        heard.push(`first ${event.type}`);
        unsubscribeSecond();
      });
      unsubscribeSecond = target.on((event) => heard.push(`second ${event.type}`));
      target.start();
      await vi.advanceTimersByTimeAsync(10);

      expect(heard).toEqual(['first started', 'first completed']);
    });

    it('reports a listener that throws a revoked Proxy as hook-failed and carries on', async () => {
      const target = group({ task: untilStopped });
      const thrown = revokedProxy();
      target.on(() => {
        throw thrown;
      });
      const events = record(target);
      target.start();
      await vi.advanceTimersByTimeAsync(10);

      const [failed] = ofType(events, 'hook-failed');
      expect(failed?.hook).toBe('listener of "started"');
      expect((failed?.error as ThrownValueError).value).toBe(thrown);
      expect(target.status().running).toBe(1);
      await target.stop();
    });
  });

  describe('the signal of a run that ended', () => {
    it('fires before a restart, so work a failed or completed run left behind stops', async () => {
      const leftBehind: { attempt: number; stopped: boolean }[] = [];
      const target = group({
        restart: 'always',
        task: async (ctx) => {
          const work = { attempt: ctx.attempt, stopped: false };
          leftBehind.push(work);
          // Work started and not awaited, such as a poll loop or a request with the signal.
          ctx.signal.addEventListener('abort', () => (work.stopped = true));
          if (ctx.attempt === 1) throw new Error('fails, leaving its work running');
          if (ctx.attempt === 2) return;
          await untilStopped(ctx);
        },
      });
      const events = record(target);
      target.start();
      await vi.advanceTimersByTimeAsync(1_000);

      expect(leftBehind).toEqual([
        { attempt: 1, stopped: true },
        { attempt: 2, stopped: true },
        { attempt: 3, stopped: false },
      ]);
      expect(ofType(events, 'failed')).toHaveLength(1);
      expect(ofType(events, 'completed')).toHaveLength(1);
      await target.stop();
      expect(leftBehind[2]?.stopped).toBe(true);
    });

    it('is already aborted, saying the run has ended, when first read after the run', async () => {
      let late!: TaskContext;
      const target = group({
        task: async (ctx) => {
          late = ctx;
        },
      });
      target.start();
      await vi.advanceTimersByTimeAsync(10);

      expect(late.signal.aborted).toBe(true);
      expect((late.signal.reason as DOMException).message).toMatch(/has ended/);
    });
  });

  describe('bad options', () => {
    it('names backoff.minMs, not the default maxMs, when only minMs is too large', () => {
      const build = () => group({ task: untilStopped, backoff: { minMs: 40_000 } });
      expect(build).toThrow(InvalidOptionError);
      expect(build).toThrow(expect.objectContaining({ option: 'backoff.minMs', received: 40_000 }));
    });

    it('refuses a size too large for one process rather than freeze, then crash it', async () => {
      expect(() => group({ task: untilStopped, size: 2 ** 32 })).toThrow(
        expect.objectContaining({ option: 'size', received: 2 ** 32 }),
      );
      const target = group({ task: untilStopped, size: 1 });
      target.start();
      expect(() => target.resize(1e9)).toThrow(InvalidOptionError);
      expect(target.size).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(target.status().running).toBe(1);
      await target.stop();
    });
  });

  describe('restart intensity', () => {
    it('measures its window in elapsed time, not by a wall clock set back', async () => {
      const target = group({
        task: async () => Promise.reject(new Error('down')),
        backoff: { minMs: 60_000, maxMs: 60_000 },
        intensity: { maxRestarts: 3, withinMs: 120_000 },
      });
      const events = record(target);
      target.start();
      await vi.advanceTimersByTimeAsync(1);
      vi.setSystemTime(Date.now() - 3_600_000);
      await vi.advanceTimersByTimeAsync(600_000);

      expect(ofType(events, 'gave-up')).toEqual([]);
      expect(ofType(events, 'restarting')).toHaveLength(11);
      await target.stop();
    });

    it('keeps the restarts already in its window when resized', async () => {
      const target = group({
        size: 1,
        backoff: { minMs: 1_000, maxMs: 1_000, jitter: 0 },
        task: async (ctx) => {
          if (ctx.index === 0) throw new Error('down');
          await untilStopped(ctx);
        },
      });
      const events = record(target);
      target.start();
      for (let second = 0; second < 60 && target.status().state.kind === 'running'; second++) {
        // An autoscaler nudging the size must not hide a crash loop from the intensity.
        if (second % 3 === 0) {
          target.resize(2);
          target.resize(1);
        }
        await vi.advanceTimersByTimeAsync(1_000);
      }

      expect(ofType(events, 'gave-up')).toHaveLength(1);
      expect(ofType(events, 'restarting')).toHaveLength(6);
    });
  });

  describe('scope', () => {
    it.each([
      ['the task first', true],
      ['the work first', false],
    ])(
      'settles and stops the group when work and task reject in one tick (%s)',
      async (_label, taskFirst) => {
        let fail!: (error: Error) => void;
        const trigger = new Promise<never>((_resolve, reject) => {
          fail = reject;
        });
        trigger.catch(() => {});
        const target = group({
          intensity: { maxRestarts: 0, withinMs: 1_000 },
          task: async () => {
            if (taskFirst) await trigger;
            else await Promise.resolve().then(() => trigger);
          },
        });
        const result = target.scope(async () => {
          if (taskFirst) await Promise.resolve().then(() => trigger);
          else await trigger;
        });
        const settled = result.then(
          () => undefined,
          (error: unknown) => error,
        );
        await vi.advanceTimersByTimeAsync(1);
        fail(new Error('shared dependency down'));
        await vi.advanceTimersByTimeAsync(10);

        const error = await settled;
        expect(error).toBeInstanceOf(Error);
        expect(['GroupGaveUpError', 'Error']).toContain((error as Error).name);
        expect(target.status().state.kind).toMatch(/^(gave-up|stopped)$/);
        expect(target.status().running).toBe(0);
      },
    );
  });

  describe('stop', () => {
    it('with a timeout of 0 counts tasks settling in microtasks after their signal', async () => {
      const target = group({ size: 3, task: untilStopped });
      target.start();
      await vi.advanceTimersByTimeAsync(1);

      const stopping = target.stop({ timeoutMs: 0 });
      await vi.advanceTimersByTimeAsync(0);
      await expect(stopping).resolves.toEqual({ settled: 3, abandoned: [], clean: true });
    });

    it('leaves no timer behind after giving up on a task that ignores its signal', async () => {
      const target = group({
        size: 2,
        shutdownTimeoutMs: 50,
        intensity: { maxRestarts: 0, withinMs: 1_000 },
        task: async (ctx) => {
          if (ctx.index === 1) await new Promise<void>(() => {});
          await new Promise((resolve) => setTimeout(resolve, 10));
          throw new Error('fatal');
        },
      });
      const events = record(target);
      target.start();
      await vi.advanceTimersByTimeAsync(100);

      expect(ofType(events, 'stopped')[0]?.report).toEqual({
        settled: 0,
        abandoned: [{ index: 1, attempt: 1 }],
        clean: false,
      });
      expect(vi.getTimerCount()).toBe(0);
    });

    /** Gives up at 10 ms; slot 1 then ignores its signal until 500 ms. */
    function lingeringGiveUp(): TaskGroup {
      return group({
        size: 2,
        shutdownTimeoutMs: 1_000,
        intensity: { maxRestarts: 0, withinMs: 1_000 },
        task: async (ctx) => {
          await new Promise((resolve) => setTimeout(resolve, ctx.index === 0 ? 10 : 500));
          if (ctx.index === 0) throw new Error('down');
        },
      });
    }

    it('during a give-up, takes it over: the parent hears nothing, and the group ends stopped', async () => {
      const target = lingeringGiveUp();
      const exits: ChildExit[] = [];
      target.setParent({ path: ['parent'], childExited: (_child, exit) => exits.push(exit) });
      target.start();
      await vi.advanceTimersByTimeAsync(15);
      expect(target.status().state.kind).toBe('gave-up');

      const stopping = target.stop();
      await vi.advanceTimersByTimeAsync(1_000);

      await expect(stopping).resolves.toMatchObject({ clean: true });
      expect(exits).toEqual([]);
      expect(target.status().state.kind).toBe('stopped');
    });

    it('during a give-up or another stop, waits at most its own shorter timeout', async () => {
      const target = lingeringGiveUp();
      target.start();
      await vi.advanceTimersByTimeAsync(15);

      let resolvedAfter: number | undefined;
      const from = Date.now();
      void target.stop({ timeoutMs: 0 }).then(() => (resolvedAfter = Date.now() - from));
      await vi.advanceTimersByTimeAsync(1);

      expect(resolvedAfter).toBe(0);
      expect(target.status().state).toMatchObject({
        kind: 'stopped',
        report: { abandoned: [{ index: 1, attempt: 1 }] },
      });
    });
  });
});
