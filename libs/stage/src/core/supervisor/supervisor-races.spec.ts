import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChildParent, SupervisedChild } from './child.js';
import { Supervisor } from './supervisor.js';
import type { TaskContext } from '../group/task-context.js';
import { TaskGroup } from '../group/task-group.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const untilStopped = (ctx: TaskContext) =>
  new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));

/**
 * A group that gives up at once on its first run (slot 0 fails after 10 ms, no restart allowed)
 * while slot 1 ignores its signal for 500 ms, so that its give-up lasts until then. Its later
 * runs wait for their stop.
 */
function slowGivingUpGroup(): { group: TaskGroup; firstRuns: () => number } {
  let firstRuns = 0;
  const group = new TaskGroup({
    name: 'g',
    size: 2,
    shutdownTimeoutMs: 1_000,
    intensity: { maxRestarts: 0, withinMs: 1_000 },
    task: async (ctx) => {
      if (ctx.index === 0 && ctx.attempt === 1) firstRuns++;
      if (firstRuns > 1) return untilStopped(ctx);
      if (ctx.index === 0) {
        await sleep(10);
        throw new Error('g down');
      }
      await sleep(500);
    },
  });
  return { group, firstRuns: () => firstRuns };
}

/** A hand-made child that runs `onStart` when started and stops at once. */
function handMadeChild(
  name: string,
  onStart: (parent: ChildParent | undefined, self: SupervisedChild) => void,
): SupervisedChild {
  let parent: ChildParent | undefined;
  const self: SupervisedChild = {
    name,
    restart: 'on-failure',
    get path() {
      return [...(parent?.path ?? []), name];
    },
    start() {
      onStart(parent, self);
    },
    async stop() {
      return { settled: 0, abandoned: [], clean: true };
    },
    setParent(next) {
      parent = next;
    },
  };
  return self;
}

describe('Supervisor (races)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('the last of stop, start, stop wins', () => {
    it('ends stopped, without running its children again, when stop() follows a start() made during a stop', async () => {
      const task = vi.fn(untilStopped);
      const supervisor = new Supervisor({ name: 's' });
      supervisor.add(new TaskGroup({ name: 'g', task }));
      supervisor.start();
      await vi.advanceTimersByTimeAsync(1);

      const first = supervisor.stop();
      supervisor.start();
      const last = supervisor.stop();
      await vi.advanceTimersByTimeAsync(10);
      await Promise.all([first, last]);
      await vi.advanceTimersByTimeAsync(10);

      expect(supervisor.status().state.kind).toBe('stopped');
      expect(task).toHaveBeenCalledTimes(1);
    });

    it('leaves a child stopped when stopChild follows a startChild still waiting for a stop', async () => {
      const task = vi.fn(untilStopped);
      const supervisor = new Supervisor({ name: 's' });
      supervisor.add(new TaskGroup({ name: 'g', task }));
      supervisor.start();
      await vi.advanceTimersByTimeAsync(1);

      const first = supervisor.stopChild('g');
      const started = supervisor.startChild('g');
      const last = supervisor.stopChild('g');
      await vi.advanceTimersByTimeAsync(10);
      await Promise.all([first, started, last]);
      await vi.advanceTimersByTimeAsync(10);

      expect(supervisor.status().children[0]?.state.kind).toBe('stopped');
      expect(task).toHaveBeenCalledTimes(1);
      await supervisor.stop();
    });
  });

  describe('a give-up a stop interrupted', () => {
    it('costs one one-for-all restart, not a second one when the old run finally ends', async () => {
      const supervisor = new Supervisor({
        name: 's',
        strategy: 'one-for-all',
        intensity: { maxRestarts: 10, withinMs: 60_000 },
      });
      let siblingRuns = 0;
      const sibling = new TaskGroup({
        name: 'h',
        intensity: { maxRestarts: 0, withinMs: 1_000 },
        task: async (ctx) => {
          siblingRuns++;
          if (siblingRuns > 1) return untilStopped(ctx);
          await sleep(20);
          throw new Error('h down');
        },
      });
      supervisor.add(sibling);
      // g gives up at 10 ms and lingers until 500 ms; the restart h causes stops it within 50 ms.
      supervisor.add(slowGivingUpGroup().group, { shutdownTimeoutMs: 50 });

      supervisor.start();
      await vi.advanceTimersByTimeAsync(2_000);

      expect(supervisor.status().restarts).toBe(1);
      expect(siblingRuns).toBe(2);
      await supervisor.stop();
    });

    it('lets a child stopped and started again during its give-up run on, unrestarted', async () => {
      const supervisor = new Supervisor({
        name: 's',
        intensity: { maxRestarts: 10, withinMs: 60_000 },
      });
      const { group, firstRuns } = slowGivingUpGroup();
      supervisor.add(group, { shutdownTimeoutMs: 50 });
      supervisor.start();
      await vi.advanceTimersByTimeAsync(15); // g has given up; its old run lingers until 500 ms

      const stopping = supervisor.stopChild('g');
      await vi.advanceTimersByTimeAsync(200);
      await stopping;
      await supervisor.startChild('g');
      await vi.advanceTimersByTimeAsync(2_000);

      expect(supervisor.status().restarts).toBe(0);
      expect(firstRuns()).toBe(2);
      expect(supervisor.status().children[0]?.state.kind).toBe('running');
      await supervisor.stop();
    });
  });

  describe('a failure whose message cannot be read', () => {
    it('still gives up, with no uncaught exception, when a child whose start() throws such an error', async () => {
      class UnreadableError extends Error {
        override get message(): string {
          throw new Error('message is not readable');
        }
      }
      const uncaught: unknown[] = [];
      const onUncaught = (error: unknown) => uncaught.push(error);
      process.on('uncaughtException', onUncaught);
      try {
        const supervisor = new Supervisor({
          name: 's',
          intensity: { maxRestarts: 0, withinMs: 1_000 },
        });
        supervisor.add(
          handMadeChild('c', () => {
            throw new UnreadableError();
          }),
        );
        supervisor.start();
        await vi.advanceTimersByTimeAsync(20);

        expect(uncaught).toEqual([]);
        expect(supervisor.status().state.kind).toBe('gave-up');
      } finally {
        process.off('uncaughtException', onUncaught);
      }
    });

    it('still gives up, throwing nothing back at the child, when the message is a Symbol', async () => {
      const supervisor = new Supervisor({
        name: 's',
        intensity: { maxRestarts: 0, withinMs: 1_000 },
      });
      const error = new Error('x');
      (error as unknown as { message: unknown }).message = Symbol('boom');
      let thrownAtChild: unknown;
      supervisor.add(
        handMadeChild('c', (parent, self) => {
          queueMicrotask(() => {
            try {
              parent?.childExited(self, { kind: 'failed', error });
            } catch (thrown) {
              thrownAtChild = thrown;
            }
          });
        }),
      );
      supervisor.start();
      await vi.advanceTimersByTimeAsync(20);

      expect(thrownAtChild).toBeUndefined();
      expect(supervisor.status().state.kind).toBe('gave-up');
      const gaveUp = supervisor.status().state;
      expect(gaveUp.kind === 'gave-up' && gaveUp.error.message).toContain('Symbol(boom)');
    });
  });
});
