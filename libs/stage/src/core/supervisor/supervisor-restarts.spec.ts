import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RestartPolicy } from '../group/restart-policy.js';
import { FakeChild, flushMicrotasks } from './fake-child.spec-helper.js';
import { Supervisor } from './supervisor.js';
import type { SupervisorEvent } from './supervisor-events.js';
import type { SupervisorOptions } from './supervisor-options.js';

interface Tree {
  readonly supervisor: Supervisor;
  readonly child: (name: string) => FakeChild;
  readonly log: string[];
  readonly events: SupervisorEvent[];
}

/** A running supervisor over fake children, with the log cleared after the first start. */
function runningTree(
  options: Omit<SupervisorOptions, 'name'>,
  specs: readonly (string | { readonly name: string; readonly restart: RestartPolicy })[],
  stopDelayMs = 0,
): Tree {
  const log: string[] = [];
  const events: SupervisorEvent[] = [];
  const supervisor = new Supervisor({ name: 'app', ...options });
  supervisor.on((event) => events.push(event));
  const children = new Map<string, FakeChild>();
  for (const spec of specs) {
    const { name, restart } = typeof spec === 'string' ? { name: spec, restart: undefined } : spec;
    const child = new FakeChild(name, { log, stopDelayMs, ...(restart ? { restart } : {}) });
    children.set(name, child);
    supervisor.add(child);
  }
  supervisor.start();
  log.length = 0;
  return { supervisor, child: (name) => children.get(name)!, log, events };
}

function eventsOf<TType extends SupervisorEvent['type']>(
  events: readonly SupervisorEvent[],
  type: TType,
): Extract<SupervisorEvent, { type: TType }>[] {
  return events.filter(
    (event): event is Extract<SupervisorEvent, { type: TType }> => event.type === type,
  );
}

describe('Supervisor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('one-for-one', () => {
    it('restarts only the child that failed', async () => {
      const { child, log } = runningTree({}, ['a', 'b', 'c']);

      child('b').fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(log).toEqual(['stop:b', 'start:b']);
      expect([child('a').starts, child('b').starts, child('c').starts]).toEqual([1, 2, 1]);
    });

    it('reports the restart with the strategy, the cause and the children it takes', async () => {
      const { child, events } = runningTree({}, ['a', 'b']);

      child('b').fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(eventsOf(events, 'restarting')).toEqual([
        {
          type: 'restarting',
          supervisor: 'app',
          path: ['app'],
          strategy: 'one-for-one',
          child: 'b',
          children: ['b'],
          delayMs: 0,
          failures: 1,
        },
      ]);
      expect(eventsOf(events, 'child-started').at(-1)).toMatchObject({
        child: 'b',
        reason: 'restart',
      });
    });
  });

  describe('one-for-all', () => {
    it('stops every child in reverse order, then starts them all in order', async () => {
      const { child, log } = runningTree({ strategy: 'one-for-all' }, ['a', 'b', 'c']);

      child('b').fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(log).toEqual(['stop:c', 'stop:b', 'stop:a', 'start:a', 'start:b', 'start:c']);
    });

    it('counts one restart however many children it takes', async () => {
      const { supervisor, child } = runningTree(
        { strategy: 'one-for-all', intensity: { maxRestarts: 1, withinMs: 1_000 } },
        ['a', 'b', 'c'],
      );

      child('b').fail();
      await vi.advanceTimersByTimeAsync(0);

      const status = supervisor.status();
      expect(status.state.kind).toBe('running');
      expect(status.restarts).toBe(1);
      expect(status.children.map((each) => each.restarts)).toEqual([1, 1, 1]);
    });

    it('leaves a child stopped on purpose stopped when a sibling fails', async () => {
      const { supervisor, child, log } = runningTree({ strategy: 'one-for-all' }, ['a', 'b', 'c']);
      await supervisor.stopChild('a');
      log.length = 0;

      child('b').fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(log).toEqual(['stop:c', 'stop:b', 'start:b', 'start:c']);
      expect(supervisor.status().children[0]!.state).toEqual({ kind: 'stopped' });
    });

    it('leaves a child that completed ended when a sibling fails', async () => {
      const { supervisor, child, log } = runningTree({ strategy: 'one-for-all' }, ['a', 'b']);
      child('a').complete();

      child('b').fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(log).toEqual(['stop:b', 'start:b']);
      expect(supervisor.status().children[0]!.state).toMatchObject({ kind: 'ended' });
    });

    it('takes along a sibling that failed meanwhile, without a second restart', async () => {
      const { supervisor, child } = runningTree({ strategy: 'one-for-all' }, ['a', 'b', 'c'], 10);

      child('a').fail();
      child('c').fail();
      await vi.advanceTimersByTimeAsync(100);

      expect(supervisor.status().restarts).toBe(1);
      expect([child('a').starts, child('b').starts, child('c').starts]).toEqual([2, 2, 2]);
    });
  });

  describe('rest-for-one', () => {
    it('restarts the failed child and those started after it, in that order', async () => {
      const { child, log } = runningTree({ strategy: 'rest-for-one' }, ['a', 'b', 'c']);

      child('b').fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(log).toEqual(['stop:c', 'stop:b', 'start:b', 'start:c']);
      expect(child('a').starts).toBe(1);
    });

    it('restarts only the last child when the last child fails', async () => {
      const { child, log } = runningTree({ strategy: 'rest-for-one' }, ['a', 'b', 'c']);

      child('c').fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(log).toEqual(['stop:c', 'start:c']);
    });
  });

  describe('restart policies', () => {
    it.each([
      ['always', 'completed', true],
      ['always', 'failed', true],
      ['on-failure', 'completed', false],
      ['on-failure', 'failed', true],
      ['never', 'completed', false],
      ['never', 'failed', false],
    ] as const)(
      'a child with policy %s that %s is restarted: %s',
      async (restart, exit, restarted) => {
        const { supervisor, child, events } = runningTree({}, [{ name: 'a', restart }]);

        if (exit === 'failed') child('a').fail();
        else child('a').complete();
        await vi.advanceTimersByTimeAsync(0);

        expect(child('a').starts).toBe(restarted ? 2 : 1);
        expect(eventsOf(events, 'child-exited')[0]).toMatchObject({
          child: 'a',
          exit: { kind: exit },
          decision: restarted ? 'restart' : 'ended',
        });
        const state = supervisor.status().children[0]!.state;
        expect(state.kind).toBe(restarted ? 'running' : 'ended');
      },
    );

    it.each(['always', 'on-failure', 'never'] as const)(
      'never restarts a child stopped on purpose, under policy %s',
      async (restart) => {
        const { supervisor, child } = runningTree({}, [{ name: 'a', restart }]);

        await supervisor.stopChild('a');
        await vi.advanceTimersByTimeAsync(60_000);

        expect(child('a').starts).toBe(1);
        expect(supervisor.status().restarts).toBe(0);
      },
    );

    it('does not restart the siblings of a never child that fails, even one-for-all', async () => {
      const { supervisor, child, log } = runningTree({ strategy: 'one-for-all' }, [
        { name: 'a', restart: 'never' },
        'b',
      ]);

      child('a').fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(log).toEqual([]);
      expect(supervisor.status().restarts).toBe(0);
    });
  });

  describe('the never rule', () => {
    it('removes a never sibling that a one-for-all restart stopped, at no cost', async () => {
      const { supervisor, child, log, events } = runningTree(
        { strategy: 'one-for-all', intensity: { maxRestarts: 1, withinMs: 60_000 } },
        [{ name: 'a', restart: 'never' }, 'b', 'c'],
      );

      child('b').fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(log).toEqual(['stop:c', 'stop:b', 'stop:a', 'start:b', 'start:c']);
      expect(supervisor.children).toEqual(['b', 'c']);
      expect(child('a').parent).toBeUndefined();
      expect(eventsOf(events, 'child-removed')).toMatchObject([
        { child: 'a', reason: 'never-restarted' },
      ]);
      expect(supervisor.status().state.kind).toBe('running');
      expect(supervisor.status().restarts).toBe(1);
    });

    it('removes only the never siblings a rest-for-one restart takes', async () => {
      const { supervisor, child } = runningTree({ strategy: 'rest-for-one' }, [
        { name: 'before', restart: 'never' },
        'failing',
        { name: 'after', restart: 'never' },
      ]);

      child('failing').fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(supervisor.children).toEqual(['before', 'failing']);
      expect(child('before').running).toBe(true);
      expect(child('after').running).toBe(false);
    });
  });

  describe('backoff', () => {
    const backoff = { minMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0, resetAfterMs: 30_000 };

    it('waits the backoff between stopping and starting the children', async () => {
      const { child } = runningTree({ backoff }, ['a']);

      child('a').fail();
      await vi.advanceTimersByTimeAsync(999);
      expect(child('a').starts).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(child('a').starts).toBe(2);
    });

    it('grows the wait with consecutive failures and starts over after a long run', async () => {
      const { child, events } = runningTree({ backoff, intensity: false }, ['a']);

      for (const wait of [1_000, 2_000, 4_000]) {
        child('a').fail();
        await vi.advanceTimersByTimeAsync(wait);
      }
      await vi.advanceTimersByTimeAsync(30_000);
      child('a').fail();
      await vi.advanceTimersByTimeAsync(1_000);

      expect(eventsOf(events, 'restarting').map((event) => event.delayMs)).toEqual([
        1_000, 2_000, 4_000, 1_000,
      ]);
      expect(child('a').starts).toBe(5);
    });

    it("does not let one child's wait delay another child's restart", async () => {
      const { child } = runningTree({ backoff }, ['a', 'b']);

      child('a').fail();
      await vi.advanceTimersByTimeAsync(500);
      child('b').fail();
      await vi.advanceTimersByTimeAsync(1_000);

      expect(child('a').starts).toBe(2);
      expect(child('b').starts).toBe(2);
    });

    it('falls back to the shortest wait when the random source throws, and reports it', async () => {
      const random = (): number => {
        throw new Error('no entropy');
      };
      const { child, events } = runningTree({ backoff: { ...backoff, jitter: 0.5, random } }, [
        'a',
      ]);

      child('a').fail();
      await vi.advanceTimersByTimeAsync(1_000);

      expect(child('a').starts).toBe(2);
      expect(eventsOf(events, 'hook-failed')).toMatchObject([{ hook: 'backoff.random' }]);
    });

    it('still yields to the event loop before a restart without backoff', async () => {
      const { child } = runningTree({}, ['a']);

      child('a').fail();
      await flushMicrotasks();
      expect(child('a').starts).toBe(1);
      await vi.advanceTimersByTimeAsync(0);
      expect(child('a').starts).toBe(2);
    });
  });

  describe('the first start', () => {
    it('retries a child that fails at once, then gives up without start() ever throwing', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        intensity: { maxRestarts: 2, withinMs: 10_000 },
      });
      const child = new FakeChild('broken');
      const start = child.start.bind(child);
      child.start = () => {
        start();
        queueMicrotask(() => child.fail(new Error('no database')));
      };
      supervisor.add(child);

      expect(() => supervisor.start()).not.toThrow();
      await vi.runAllTimersAsync();

      expect(child.starts).toBe(3);
      expect(supervisor.status().state).toMatchObject({ kind: 'gave-up' });
    });
  });

  describe('a stop during a restart', () => {
    it('cancels a pending backoff, starts nothing and leaves no timer', async () => {
      const { supervisor, child } = runningTree({ backoff: { minMs: 10_000, jitter: 0 } }, ['a']);

      child('a').fail();
      await vi.advanceTimersByTimeAsync(100);
      await supervisor.stop();

      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(child('a').starts).toBe(1);
    });

    it('starts nothing when it arrives while the restart is stopping siblings', async () => {
      const { supervisor, child, log } = runningTree(
        { strategy: 'one-for-all' },
        ['a', 'b', 'c'],
        50,
      );

      child('b').fail();
      await vi.advanceTimersByTimeAsync(10);
      const stopping = supervisor.stop();
      await vi.advanceTimersByTimeAsync(500);
      await stopping;

      expect(log.filter((entry) => entry.startsWith('start'))).toEqual([]);
      expect(vi.getTimerCount()).toBe(0);
      expect(['a', 'b', 'c'].map((name) => child(name).running)).toEqual([false, false, false]);
    });

    it('never lets an interrupted restart act on the next run', async () => {
      const { supervisor, child } = runningTree(
        { strategy: 'one-for-all', backoff: { minMs: 5_000, jitter: 0 } },
        ['a', 'b'],
        50,
      );

      child('a').fail();
      await vi.advanceTimersByTimeAsync(10);
      await Promise.all([supervisor.stop(), vi.advanceTimersByTimeAsync(200)]);
      supervisor.start();
      await vi.advanceTimersByTimeAsync(60_000);

      expect([child('a').starts, child('b').starts]).toEqual([2, 2]);
      expect(supervisor.status().restarts).toBe(1);
    });

    it('reports a sibling that abandoned tasks while the restart stopped it', async () => {
      const supervisor = new Supervisor({ name: 'app', strategy: 'one-for-all' });
      const events: SupervisorEvent[] = [];
      supervisor.on((event) => events.push(event));
      const stubborn = new FakeChild('stubborn', { onStop: 'abandon' });
      const failing = new FakeChild('failing');
      supervisor.add(stubborn, { shutdownTimeoutMs: 100 });
      supervisor.add(failing);
      supervisor.start();

      failing.fail();
      await vi.advanceTimersByTimeAsync(200);

      expect(eventsOf(events, 'child-stopped')).toMatchObject([
        {
          child: 'stubborn',
          reason: 'restart',
          report: { kind: 'stopped', report: { clean: false } },
        },
      ]);
      expect([stubborn.starts, failing.starts]).toEqual([2, 2]);
    });

    it('absorbs the exit of a child that the restart is already stopping', async () => {
      const { supervisor, child, events } = runningTree(
        { strategy: 'one-for-all' },
        ['a', 'b'],
        50,
      );

      child('b').fail();
      await vi.advanceTimersByTimeAsync(10);
      child('a').parent?.childExited(child('a'), { kind: 'failed', error: new Error('late') });
      await vi.advanceTimersByTimeAsync(200);

      expect(eventsOf(events, 'child-exited').map((event) => event.decision)).toEqual([
        'restart',
        'absorbed',
      ]);
      expect(supervisor.status().restarts).toBe(1);
    });
  });
});
