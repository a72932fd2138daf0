import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { FakeChild } from './fake-child.spec-helper.js';
import type { RootGiveUpReport, RootSupervisorOptions } from './root-supervisor-options.js';
import { RootSupervisor } from './root-supervisor.js';
import { Supervisor } from './supervisor.js';
import type { SupervisorEvent } from './supervisor-events.js';

function runningRoot(
  options: RootSupervisorOptions = {},
  names: readonly string[] = ['a', 'b'],
): { root: RootSupervisor; children: FakeChild[]; events: SupervisorEvent[] } {
  const root = new RootSupervisor(options);
  const events: SupervisorEvent[] = [];
  root.on((event) => events.push(event));
  const children = names.map((name) => new FakeChild(name));
  for (const child of children) root.add(child);
  root.start();
  return { root, children, events };
}

describe('RootSupervisor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('by default', () => {
    it('restarts a failed child after 30 s, doubling on each failure up to 5 min', async () => {
      const { children, events } = runningRoot();
      const [a] = children;

      for (const wait of [30_000, 60_000, 120_000, 240_000, 300_000, 300_000]) {
        a!.fail();
        await vi.advanceTimersByTimeAsync(wait - 1);
        expect(a!.running).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
        expect(a!.running).toBe(true);
      }
      const delays = events.flatMap((event) =>
        event.type === 'restarting' ? [event.delayMs] : [],
      );
      expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
    });

    it('keeps the siblings running and reports recovering until the child starts again', async () => {
      const { root, children } = runningRoot();
      const [a, b] = children;
      expect(root.health()).toEqual({ healthy: true, status: 'healthy' });

      const failedAt = Date.now();
      a!.fail(new Error('database down'));
      await vi.advanceTimersByTimeAsync(0);

      expect(b!.running).toBe(true);
      expect(root.health()).toEqual({
        healthy: false,
        status: 'recovering',
        failing: [
          {
            name: 'a',
            path: ['root', 'a'],
            error: new Error('database down'),
            failedAt,
            restartAt: failedAt + 30_000,
            failures: 1,
          },
        ],
      });
      await vi.advanceTimersByTimeAsync(30_000);
      expect(root.health()).toEqual({ healthy: true, status: 'healthy' });
    });

    it('starts the schedule over for a child that ran 10 min before failing again', async () => {
      const { children, events } = runningRoot();
      const [a] = children;

      a!.fail();
      await vi.advanceTimersByTimeAsync(30_000);
      await vi.advanceTimersByTimeAsync(600_000);
      a!.fail();
      await vi.advanceTimersByTimeAsync(0);

      const delays = events.flatMap((event) =>
        event.type === 'restarting' ? [event.delayMs] : [],
      );
      expect(delays).toEqual([30_000, 30_000]);
    });

    it('never gives up, however often a child fails', async () => {
      const { root, children } = runningRoot({ backoff: { minMs: 0 } });

      for (let i = 0; i < 100; i++) {
        children[0]!.fail();
        await vi.advanceTimersByTimeAsync(0);
        await vi.advanceTimersByTimeAsync(0);
      }

      expect(root.status().state.kind).toBe('running');
      expect(children[0]!.starts).toBe(101);
    });

    it('merges a custom backoff over the defaults', async () => {
      const { children, events } = runningRoot({ backoff: { minMs: 1_000 } });

      children[0]!.fail();
      await vi.advanceTimersByTimeAsync(1_000);
      children[0]!.fail();
      await vi.advanceTimersByTimeAsync(2_000);

      const delays = events.flatMap((event) =>
        event.type === 'restarting' ? [event.delayMs] : [],
      );
      expect(delays).toEqual([1_000, 2_000]);
      expect(children[0]!.running).toBe(true);
    });

    it('restarts a subtree that escalated, after the backoff', async () => {
      const root = new RootSupervisor();
      const subtree = new Supervisor({ name: 'jobs', intensity: { maxRestarts: 0, withinMs: 1 } });
      const leaf = new FakeChild('leaf');
      subtree.add(leaf);
      root.add(subtree);
      root.start();

      leaf.fail(new Error('queue unreachable'));
      await vi.advanceTimersByTimeAsync(0);
      expect(root.status().children[0]!.state.kind).toBe('restarting');
      expect(leaf.running).toBe(false);
      const health = root.health();
      expect(health).toMatchObject({
        status: 'recovering',
        failing: [{ path: ['root', 'jobs'], error: { code: 'STAGE_SUPERVISOR_GAVE_UP' } }],
      });

      await vi.advanceTimersByTimeAsync(30_000);

      expect(subtree.status().state.kind).toBe('running');
      expect(leaf.starts).toBe(2);
      expect(root.health().healthy).toBe(true);
    });

    it('cancels a pending restart on stop and leaves no timer', async () => {
      const { root, children } = runningRoot();

      children[0]!.fail();
      await vi.advanceTimersByTimeAsync(0);
      await root.stop();

      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(300_000);
      expect(children[0]!.starts).toBe(1);
      expect(root.health()).toEqual({ healthy: false, status: 'not-running' });
    });
  });

  describe('with onGiveUp', () => {
    it('hands the first failure over once and restarts nothing', async () => {
      const reports: RootGiveUpReport[] = [];
      const { root, children, events } = runningRoot({
        onGiveUp: (report) => reports.push(report),
      });
      const [a, b] = children;

      a!.fail(new Error('first'));
      b!.fail(new Error('second'));
      await vi.advanceTimersByTimeAsync(600_000);

      expect(reports).toEqual([{ child: 'a', path: ['root', 'a'], error: new Error('first') }]);
      expect([a!.starts, b!.starts]).toEqual([1, 1]);
      expect(
        events.flatMap((event) => (event.type === 'child-exited' ? [event.decision] : [])),
      ).toEqual(['shutdown', 'shutdown']);
      expect(root.health()).toMatchObject({
        healthy: false,
        status: 'gave-up',
        failing: [{ name: 'a' }, { name: 'b' }],
      });
    });

    it('calls onGiveUp after the failing child has returned from reporting', async () => {
      const onGiveUp = vi.fn();
      const { children } = runningRoot({ onGiveUp });

      children[0]!.fail();
      expect(onGiveUp).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(0);
      expect(onGiveUp).toHaveBeenCalledTimes(1);
    });

    it.each([
      [
        'throws',
        () => {
          throw new Error('cannot shut down');
        },
      ],
      ['rejects', () => Promise.reject(new Error('cannot shut down'))],
    ])('reports an onGiveUp that %s and carries on', async (_how, onGiveUp) => {
      const { root, children, events } = runningRoot({ onGiveUp });

      children[0]!.fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(events.filter((event) => event.type === 'hook-failed')).toMatchObject([
        { hook: 'onGiveUp', error: { message: 'cannot shut down' } },
      ]);
      expect(root.status().state.kind).toBe('running');
      expect(children[1]!.running).toBe(true);
    });

    it('still restarts a child that completed under the always policy', async () => {
      const root = new RootSupervisor({ onGiveUp: () => {}, backoff: { minMs: 0 } });
      const child = new FakeChild('loop', { restart: 'always' });
      root.add(child);
      root.start();

      child.complete();
      await vi.advanceTimersByTimeAsync(0);

      expect(child.starts).toBe(2);
      expect(root.health().healthy).toBe(true);
    });

    it('is healthy again after a new run', async () => {
      const { root, children } = runningRoot({ onGiveUp: () => {} });
      children[0]!.fail();
      await vi.advanceTimersByTimeAsync(0);

      await root.stop();
      root.start();

      expect(root.health()).toEqual({ healthy: true, status: 'healthy' });
    });
  });

  describe('options', () => {
    it('is named root by default', () => {
      expect(new RootSupervisor().path).toEqual(['root']);
    });

    it.each([
      [{ onGiveUp: 'exit' }, 'onGiveUp'],
      [{ backoff: { minMs: -1 } }, 'backoff.minMs'],
      [{ backoff: 5 }, 'backoff'],
      [{ strategy: 'all' }, 'strategy'],
      [{ intensity: false }, 'intensity'],
    ])('rejects %j naming the option %s', (options, option) => {
      const build = (): RootSupervisor => new RootSupervisor(options as RootSupervisorOptions);

      expect(build).toThrow(InvalidOptionError);
      expect(build).toThrow(expect.objectContaining({ owner: 'supervisor "root"', option }));
    });
  });
});
