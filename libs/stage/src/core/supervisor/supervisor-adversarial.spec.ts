import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { causeChain } from '../errors/cause-chain.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { SupervisorGaveUpError } from '../errors/supervisor-gave-up-error.js';
import type { RestartPolicy } from '../group/restart-policy.js';
import type { StopReport } from '../group/stop-report.js';
import { TaskGroup } from '../group/task-group.js';
import type { SupervisedChild } from './child.js';
import { FakeChild, type FakeStopBehaviour } from './fake-child.spec-helper.js';
import { RootSupervisor } from './root-supervisor.js';
import { Supervisor } from './supervisor.js';
import type { SupervisorEvent } from './supervisor-events.js';
import type { SupervisorStatus } from './supervisor-status.js';
import type { SupervisorStrategy } from './supervisor-strategy.js';

/** A deterministic source of numbers in [0, 1), for the randomized scenarios. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Replaces a fake child's `stop()` with `stop`, to break the child contract on purpose. */
function withStop(child: FakeChild, stop: () => unknown): FakeChild {
  (child as unknown as { stop: () => unknown }).stop = stop;
  return child;
}

/** The types of the events, with the child and the decision where there is one. */
function trace(events: readonly SupervisorEvent[]): string[] {
  return events.map((event) => {
    if (event.type === 'child-exited') return `${event.type}:${event.child}:${event.decision}`;
    if ('child' in event && typeof event.child === 'string') return `${event.type}:${event.child}`;
    return event.type;
  });
}

/** Collects unhandled rejections while `body` runs, real timers restored at the end. */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    await body();
    vi.useRealTimers();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return unhandled;
}

describe('Supervisor (adversarial)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('wiring', () => {
    it('refuses to add a supervisor under its own child, leaving both trees as they were', () => {
      const top = new Supervisor({ name: 'top' });
      const below = new Supervisor({ name: 'below' });
      top.add(below);

      expect(() => below.add(top)).toThrow(InvalidOptionError);
      expect(() => below.add(top)).toThrow(/would loop/);
      expect(top.path).toEqual(['top']);
      expect(below.path).toEqual(['top', 'below']);
      expect(below.children).toEqual([]);
    });

    it('refuses to add a supervisor under a descendant several levels down', () => {
      const a = new Supervisor({ name: 'a' });
      const b = new Supervisor({ name: 'b' });
      const c = new Supervisor({ name: 'c' });
      a.add(b);
      b.add(c);

      expect(() => c.add(a)).toThrow(InvalidOptionError);
      expect(c.children).toEqual([]);
      expect(c.path).toEqual(['a', 'b', 'c']);
      expect(() => a.status()).not.toThrow();
    });

    it('refuses a child that another supervisor owns, naming that supervisor', () => {
      const first = new Supervisor({ name: 'first' });
      const second = new Supervisor({ name: 'second' });
      const child = new FakeChild('worker');
      first.add(child);

      expect(() => second.add(child)).toThrow(InvalidOptionError);
      expect(() => second.add(child)).toThrow(/child of "first"; remove it there first/);
      expect(second.children).toEqual([]);
      expect(child.path).toEqual(['first', 'worker']);
    });

    it('accepts a child elsewhere once it was removed from its supervisor', async () => {
      const first = new Supervisor({ name: 'first' });
      const second = new Supervisor({ name: 'second' });
      const child = new FakeChild('worker');
      first.add(child);
      first.start();
      await first.remove('worker');

      second.add(child);

      expect(child.path).toEqual(['second', 'worker']);
    });

    it('keeps a child attached that was removed and added again before its stop finished', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const child = new FakeChild('worker', { stopDelayMs: 10 });
      supervisor.add(child);
      supervisor.start();

      const removal = supervisor.remove('worker');
      supervisor.add(child);
      await vi.advanceTimersByTimeAsync(20);
      await removal;
      child.fail();
      await vi.advanceTimersByTimeAsync(20);

      expect(child.path).toEqual(['app', 'worker']);
      expect(child.starts).toBe(3);
      expect(supervisor.status().restarts).toBe(1);
    });

    it('keeps a child attached that another supervisor took while its removal was stopping it', async () => {
      const first = new Supervisor({ name: 'first' });
      const second = new Supervisor({ name: 'second' });
      const child = new FakeChild('worker', { stopDelayMs: 10 });
      first.add(child);
      first.start();
      second.start();

      const removal = first.remove('worker');
      second.add(child);
      await vi.advanceTimersByTimeAsync(20);
      await removal;

      expect(child.path).toEqual(['second', 'worker']);
    });

    it('still restarts a real group that was removed and added again while it stopped', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      let runs = 0;
      const group = new TaskGroup({
        name: 'poller',
        backoff: { minMs: 1, maxMs: 1 },
        intensity: { maxRestarts: 1, withinMs: 60_000 },
        task: async (ctx) => {
          runs += 1;
          await new Promise<void>((resolve) =>
            ctx.signal.addEventListener('abort', () => resolve()),
          );
        },
      });
      supervisor.add(group, { shutdownTimeoutMs: 50 });
      supervisor.start();
      await vi.advanceTimersByTimeAsync(1);

      const removal = supervisor.remove('poller');
      supervisor.add(group, { shutdownTimeoutMs: 50 });
      await vi.advanceTimersByTimeAsync(10);
      await removal;

      expect(group.path).toEqual(['app', 'poller']);
      expect(group.status().state.kind).toBe('running');
      expect(runs).toBe(2);
      await supervisor.stop();
    });
  });

  describe('wall clock jumps', () => {
    it('measures its intensity window in elapsed time, not by a wall clock set back', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        intensity: { maxRestarts: 2, withinMs: 60_000 },
      });
      const child = new FakeChild('worker');
      supervisor.add(child);
      supervisor.start();
      child.fail();
      await vi.advanceTimersByTimeAsync(0);

      vi.setSystemTime(Date.now() - 3_600_000);
      for (let round = 0; round < 3; round++) {
        await vi.advanceTimersByTimeAsync(61_000);
        child.fail();
        await vi.advanceTimersByTimeAsync(0);
      }

      expect(supervisor.status().state.kind).toBe('running');
      expect(child.starts).toBe(5);
      await supervisor.stop();
    });

    it('keeps the restarts in its intensity window when the wall clock is set forward', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        intensity: { maxRestarts: 2, withinMs: 60_000 },
      });
      const child = new FakeChild('worker');
      supervisor.add(child);
      supervisor.start();

      for (let round = 0; round < 3; round++) {
        if (round === 2) vi.setSystemTime(Date.now() + 3_600_000);
        child.fail();
        await vi.advanceTimersByTimeAsync(1_000);
      }

      expect(supervisor.status().state.kind).not.toBe('running');
      expect(child.starts).toBe(3);
    });

    it('keeps counting consecutive failures for its backoff when the wall clock is set forward', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        intensity: false,
        backoff: { minMs: 1_000, maxMs: 60_000, resetAfterMs: 10_000 },
      });
      const child = new FakeChild('worker');
      supervisor.add(child);
      supervisor.start();
      child.fail();
      await vi.advanceTimersByTimeAsync(5_000);

      vi.setSystemTime(Date.now() + 3_600_000);
      child.fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(supervisor.status().children[0]?.failures).toBe(2);
      await supervisor.stop();
    });

    it('caps a stop by its budget in elapsed time, not by a wall clock set back', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const first = new FakeChild('first', { onStop: 'abandon', defaultTimeoutMs: 60_000 });
      const second = new FakeChild('second', { onStop: 'abandon', defaultTimeoutMs: 60_000 });
      supervisor.add(first);
      supervisor.add(second);
      supervisor.start();

      const stopping = supervisor.stop({ timeoutMs: 10_000 });
      await vi.advanceTimersByTimeAsync(1_000);
      vi.setSystemTime(Date.now() - 3_600_000);
      await vi.advanceTimersByTimeAsync(20_000);

      expect(second.stopTimeouts).toEqual([10_000]);
      expect(first.stopTimeouts).toEqual([0]);
      await expect(stopping).resolves.toMatchObject({ clean: false });
    });
  });

  describe('intensity under simultaneous failures', () => {
    it('counts once two children that fail together under one-for-all', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        strategy: 'one-for-all',
        intensity: { maxRestarts: 1, withinMs: 60_000 },
      });
      const a = new FakeChild('a');
      const b = new FakeChild('b');
      supervisor.add(a);
      supervisor.add(b);
      supervisor.start();

      a.fail();
      b.fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(supervisor.status().state.kind).toBe('running');
      expect(supervisor.status().restarts).toBe(1);
      expect([a.starts, b.starts]).toEqual([2, 2]);
    });

    it('counts once a later sibling that fails while an earlier one waits to restart under rest-for-one', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        strategy: 'rest-for-one',
        intensity: { maxRestarts: 1, withinMs: 60_000 },
      });
      const children = ['a', 'b', 'c'].map((name) => new FakeChild(name));
      for (const child of children) supervisor.add(child);
      supervisor.start();

      children[1]!.fail();
      children[2]!.fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(supervisor.status().state.kind).toBe('running');
      expect(children.map((child) => child.starts)).toEqual([1, 2, 2]);
    });

    it('still counts an earlier sibling that fails after a later one under rest-for-one', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        strategy: 'rest-for-one',
        intensity: { maxRestarts: 1, withinMs: 60_000 },
      });
      const children = ['a', 'b', 'c'].map((name) => new FakeChild(name));
      for (const child of children) supervisor.add(child);
      supervisor.start();

      children[2]!.fail();
      children[0]!.fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(supervisor.status().state.kind).toBe('gave-up');
    });

    it('restarts a child that joined a restart which never began because its child was removed', async () => {
      const supervisor = new Supervisor({ name: 'app', strategy: 'one-for-all' });
      const a = new FakeChild('a');
      const b = new FakeChild('b');
      supervisor.add(a);
      supervisor.add(b);
      supervisor.start();

      a.fail();
      b.fail();
      const removal = supervisor.remove('a');
      await vi.advanceTimersByTimeAsync(0);
      await removal;

      expect(b.running).toBe(true);
      expect(b.starts).toBe(2);
    });
  });

  describe('children that break their contract', () => {
    it.each([
      ['undefined', undefined],
      ['null', null],
      ['a number', 42],
      ['a partial report', { settled: 1 }],
    ])(
      'reports a stop() that resolves with %s as failed, and still stops and restarts',
      async (_, value) => {
        const supervisor = new Supervisor({ name: 'app' });
        const first = new FakeChild('first');
        const broken = withStop(new FakeChild('broken'), () => Promise.resolve(value));
        supervisor.add(first);
        supervisor.add(broken);
        supervisor.start();

        const report = await supervisor.stop();

        expect(report.children.map((child) => child.kind)).toEqual(['failed', 'stopped']);
        expect(report.clean).toBe(false);
        const failed = report.children[0];
        expect(failed?.kind === 'failed' && failed.error.message).toMatch(
          /Child "broken" resolved stop\(\) with .* instead of a stop report/,
        );
        expect(supervisor.status().state.kind).toBe('stopped');
        supervisor.start();
        expect(supervisor.status().state.kind).toBe('running');
        expect(first.starts).toBe(2);
      },
    );

    it('restarts a child whose stop() resolves with no report when a restart stops it', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const events: SupervisorEvent[] = [];
      supervisor.on((event) => events.push(event));
      const broken = withStop(new FakeChild('broken'), () => Promise.resolve(undefined));
      supervisor.add(broken);
      supervisor.start();

      broken.running = true;
      broken.fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(broken.starts).toBe(2);
      expect(trace(events)).toContain('child-stopped:broken');
      expect(trace(events)).not.toContain('hook-failed');
    });

    it.each([
      [
        'throws',
        (): never => {
          throw new Error('stop broke');
        },
      ],
      ['rejects', (): Promise<StopReport> => Promise.reject(new Error('stop broke'))],
    ])('restarts every sibling under one-for-all when a sibling stop() %s', async (_, stop) => {
      const supervisor = new Supervisor({ name: 'app', strategy: 'one-for-all' });
      const a = new FakeChild('a');
      const broken = withStop(new FakeChild('broken'), stop);
      const c = new FakeChild('c');
      for (const child of [a, broken, c]) supervisor.add(child);
      supervisor.start();

      a.fail();
      await vi.advanceTimersByTimeAsync(0);
      const report = await supervisor.stop();

      expect([a.starts, broken.starts, c.starts]).toEqual([2, 2, 2]);
      expect(report.children.map((child) => `${child.name}:${child.kind}`)).toEqual([
        'c:stopped',
        'broken:failed',
        'a:stopped',
      ]);
    });

    it('goes on with a one-for-all restart past a sibling whose stop hangs, after its deadline', async () => {
      const supervisor = new Supervisor({ name: 'app', strategy: 'one-for-all' });
      const a = new FakeChild('a');
      const hung = new FakeChild('hung', { onStop: 'hang' });
      supervisor.add(a);
      supervisor.add(hung, { shutdownTimeoutMs: 200 });
      supervisor.start();

      a.fail();
      await vi.advanceTimersByTimeAsync(299);
      expect(a.starts).toBe(1);
      await vi.advanceTimersByTimeAsync(10);

      expect([a.starts, hung.starts]).toEqual([2, 2]);
      const stopping = supervisor.stop();
      await vi.advanceTimersByTimeAsync(300);
      const report = await stopping;
      expect(report.children.map((child) => child.kind)).toEqual(['timed-out', 'stopped']);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('calls made during a restart or a stop', () => {
    it('starts a child added during a one-for-all restart at once, outside that restart', async () => {
      const supervisor = new Supervisor({ name: 'app', strategy: 'one-for-all' });
      const a = new FakeChild('a', { stopDelayMs: 10 });
      const b = new FakeChild('b', { stopDelayMs: 10 });
      supervisor.add(a);
      supervisor.add(b);
      supervisor.start();

      a.fail();
      await vi.advanceTimersByTimeAsync(5);
      const late = new FakeChild('late');
      supervisor.add(late);
      await vi.advanceTimersByTimeAsync(50);

      expect([a.starts, b.starts, late.starts]).toEqual([2, 2, 1]);
      expect(late.running).toBe(true);
    });

    it('leaves out of the restart a child removed while the restart stops its siblings', async () => {
      const supervisor = new Supervisor({ name: 'app', strategy: 'one-for-all' });
      const a = new FakeChild('a', { stopDelayMs: 10 });
      const b = new FakeChild('b', { stopDelayMs: 10 });
      supervisor.add(a);
      supervisor.add(b);
      supervisor.start();

      a.fail();
      await vi.advanceTimersByTimeAsync(5);
      const removal = supervisor.remove('b');
      await vi.advanceTimersByTimeAsync(50);
      await removal;

      expect(supervisor.children).toEqual(['a']);
      expect([a.starts, b.starts]).toEqual([2, 1]);
      expect(b.running).toBe(false);
      expect(b.parent).toBeUndefined();
    });

    it('leaves a child added during a stop idle, and starts it with the next run', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      supervisor.add(new FakeChild('a', { stopDelayMs: 10 }));
      supervisor.start();

      const stopping = supervisor.stop();
      const late = new FakeChild('late');
      supervisor.add(late);
      await vi.advanceTimersByTimeAsync(20);
      const report = await stopping;

      expect(late.starts).toBe(0);
      expect(report.children.map((child) => child.name)).toEqual(['a']);
      supervisor.start();
      expect(late.starts).toBe(1);
    });

    it('waits for a removal made during its stop before it resolves', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const slow = new FakeChild('slow', { stopDelayMs: 100 });
      supervisor.add(slow);
      supervisor.add(new FakeChild('fast'));
      supervisor.start();

      const stopping = supervisor.stop();
      const removal = supervisor.remove('slow');
      let stopped = false;
      void stopping.then(() => {
        stopped = true;
      });
      await vi.advanceTimersByTimeAsync(99);
      expect(stopped).toBe(false);
      await vi.advanceTimersByTimeAsync(1);

      expect(stopped).toBe(true);
      await expect(removal).resolves.toMatchObject({ name: 'slow', kind: 'stopped' });
    });
  });

  describe('re-entrant listeners', () => {
    it('starts nothing again when a listener stops the supervisor as a restart begins', async () => {
      const supervisor = new Supervisor({ name: 'app', strategy: 'one-for-all' });
      const a = new FakeChild('a');
      const b = new FakeChild('b');
      supervisor.add(a);
      supervisor.add(b);
      let stopping: Promise<unknown> | undefined;
      supervisor.on((event) => {
        if (event.type === 'restarting') stopping = supervisor.stop();
      });
      supervisor.start();

      a.fail();
      await vi.advanceTimersByTimeAsync(10);
      await stopping;

      expect(supervisor.status().state.kind).toBe('stopped');
      expect([a.starts, b.starts]).toEqual([1, 1]);
      expect([a.running, b.running]).toEqual([false, false]);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('lets a listener remove the child whose exit it hears about, restarting nothing', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const child = new FakeChild('worker');
      supervisor.add(child);
      supervisor.on((event) => {
        if (event.type === 'child-exited') void supervisor.remove(event.child);
      });
      supervisor.start();

      child.fail();
      await vi.advanceTimersByTimeAsync(10);

      expect(supervisor.children).toEqual([]);
      expect(child.starts).toBe(1);
      expect(child.parent).toBeUndefined();
    });

    it('keeps a child stopped that a listener stops as the restart starts it again', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const child = new FakeChild('worker');
      supervisor.add(child);
      supervisor.start();
      supervisor.on((event) => {
        if (event.type === 'child-started' && event.reason === 'restart') {
          void supervisor.stopChild(event.child);
        }
      });

      child.fail();
      await vi.advanceTimersByTimeAsync(10);

      expect(child.running).toBe(false);
      expect(supervisor.status().children[0]?.state).toEqual({ kind: 'stopped' });
    });

    it('begins a new run when a listener starts the supervisor from its stopped event', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const child = new FakeChild('worker');
      supervisor.add(child);
      let restarted = false;
      supervisor.on((event) => {
        if (event.type === 'stopped' && !restarted) {
          restarted = true;
          supervisor.start();
        }
      });
      supervisor.start();

      await supervisor.stop();

      expect(supervisor.status().state.kind).toBe('running');
      expect(child.starts).toBe(2);
      expect(child.running).toBe(true);
    });
  });

  describe('escalation through three levels', () => {
    function failingTree(): { root: RootSupervisor; group: TaskGroup; calls: () => number } {
      let calls = 0;
      const root = new RootSupervisor();
      const mid = new Supervisor({ name: 'mid', intensity: { maxRestarts: 1, withinMs: 60_000 } });
      const leaf = new Supervisor({
        name: 'leaf',
        intensity: { maxRestarts: 1, withinMs: 60_000 },
      });
      const group = new TaskGroup({
        name: 'db',
        backoff: { minMs: 10, maxMs: 10, jitter: 0 },
        intensity: { maxRestarts: 1, withinMs: 60_000 },
        task: async () => {
          calls += 1;
          throw new Error('connection refused');
        },
      });
      leaf.add(group);
      mid.add(leaf);
      root.add(mid);
      return { root, group, calls: () => calls };
    }

    it('reaches the root with the whole cause chain, and the root waits its long backoff', async () => {
      const { root } = failingTree();
      const events: string[] = [];
      root.on((event) => events.push(`${event.path.join('/')}:${event.type}`));
      root.start();

      await vi.advanceTimersByTimeAsync(1_000);

      const health = root.health();
      expect(health.status).toBe('recovering');
      const failing = health.status === 'recovering' ? health.failing[0] : undefined;
      expect(failing?.path).toEqual(['root', 'mid']);
      expect(failing?.error).toBeInstanceOf(SupervisorGaveUpError);
      expect(causeChain(failing!.error).map((error) => error.message)).toEqual([
        expect.stringContaining('"root/mid"'),
        expect.stringContaining('"root/mid/leaf"'),
        expect.stringContaining('"root/mid/leaf/db"'),
        'connection refused',
      ]);
      expect(events).toEqual([
        'root:started',
        'root:child-started',
        'root:child-exited',
        'root:restarting',
      ]);
      expect(failing!.restartAt! - failing!.failedAt).toBe(30_000);
    });

    it('stops during the root backoff at once, leaving no timer and calling no task again', async () => {
      const { root, calls } = failingTree();
      root.start();
      await vi.advanceTimersByTimeAsync(1_000);
      const before = calls();

      const report = await root.stop();
      await vi.advanceTimersByTimeAsync(600_000);

      expect(report.clean).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
      expect(calls()).toBe(before);
      expect(root.health()).toEqual({ healthy: false, status: 'not-running' });
    });

    it('restarts the whole subtree after the backoff, which then gives up again', async () => {
      const { root, calls } = failingTree();
      root.start();
      await vi.advanceTimersByTimeAsync(1_000);
      const before = calls();

      await vi.advanceTimersByTimeAsync(30_000);

      expect(calls()).toBeGreaterThan(before);
      expect(root.status().children[0]?.restarts).toBe(1);
      expect(root.health().status).toBe('recovering');
      await root.stop();
    });
  });

  describe('storms', () => {
    const strategies: readonly SupervisorStrategy[] = [
      'one-for-one',
      'one-for-all',
      'rest-for-one',
    ];

    it('calls no task after the stop of a tree of failing groups, whatever the strategies', async () => {
      const unhandled = await unhandledDuring(async () => {
        for (let seed = 1; seed <= 12; seed++) {
          const random = seeded(seed);
          const pick = <TItem>(items: readonly TItem[]): TItem =>
            items[Math.floor(random() * items.length)]!;
          let stopped = false;
          let callsAfterStop = 0;
          const group = (name: string): TaskGroup =>
            new TaskGroup({
              name,
              size: 1 + Math.floor(random() * 3),
              restart: pick(['always', 'on-failure'] as const),
              backoff: { minMs: 0, maxMs: 5 },
              intensity: { maxRestarts: 3, withinMs: 100 },
              shutdownTimeoutMs: 20,
              task: async () => {
                if (stopped) callsAfterStop += 1;
                const roll = random();
                if (roll < 0.5) throw new Error('fails at once');
                if (roll < 0.6) return;
                if (roll < 0.7) await new Promise(() => {});
                await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 20)));
                if (random() < 0.5) throw new Error('fails later');
              },
            });
          const root = new RootSupervisor({
            strategy: pick(strategies),
            backoff: { minMs: 50, maxMs: 200 },
          });
          for (let index = 0; index < 2; index++) {
            const branch = new Supervisor({
              name: `branch-${index}`,
              strategy: pick(strategies),
              intensity: { maxRestarts: 2, withinMs: 200 },
              backoff: random() < 0.5 ? false : { minMs: 1, maxMs: 10 },
            });
            for (let child = 0; child < 3; child++) branch.add(group(`group-${child}`));
            const leaf = new Supervisor({
              name: 'leaf',
              strategy: pick(strategies),
              intensity: { maxRestarts: 1, withinMs: 200 },
            });
            leaf.add(group('leaf-group'));
            branch.add(leaf);
            root.add(branch);
          }

          root.start();
          await vi.advanceTimersByTimeAsync(Math.floor(random() * 2_000));
          const stopping = root.stop();
          await vi.advanceTimersByTimeAsync(2_000);
          await stopping;
          stopped = true;
          await vi.advanceTimersByTimeAsync(5_000);

          expect(callsAfterStop).toBe(0);
          expect(vi.getTimerCount()).toBe(0);
        }
      });

      expect(unhandled).toEqual([]);
    });

    it("keeps its view of every child in line with the child's own state, whatever is called", async () => {
      const policies: readonly RestartPolicy[] = ['always', 'on-failure', 'never'];
      const stops: readonly FakeStopBehaviour[] = ['clean', 'clean', 'clean', 'abandon'];
      const unhandled = await unhandledDuring(async () => {
        for (let seed = 1; seed <= 150; seed++) {
          const random = seeded(seed);
          const pick = <TItem>(items: readonly TItem[]): TItem =>
            items[Math.floor(random() * items.length)]!;
          const root = new Supervisor({
            name: 'root',
            strategy: pick(strategies),
            intensity: random() < 0.5 ? false : { maxRestarts: 5, withinMs: 1_000 },
            backoff: random() < 0.5 ? false : { minMs: 1, maxMs: 20 },
          });
          const branch = new Supervisor({
            name: 'branch',
            strategy: pick(strategies),
            intensity: { maxRestarts: 2, withinMs: 1_000 },
          });
          const fakes: FakeChild[] = [];
          const fake = (): FakeChild => {
            const child = new FakeChild(`f${fakes.length}`, {
              restart: pick(policies),
              stopDelayMs: Math.floor(random() * 10),
              onStop: pick(stops),
            });
            fakes.push(child);
            return child;
          };
          const ownerOf = (child: FakeChild): Supervisor =>
            branch.children.includes(child.name) ? branch : root;
          for (let index = 0; index < 3; index++) root.add(fake(), { shutdownTimeoutMs: 50 });
          for (let index = 0; index < 3; index++) branch.add(fake(), { shutdownTimeoutMs: 50 });
          root.add(branch);
          root.start();

          for (let step = 0; step < 40; step++) {
            const roll = random();
            const child = pick(fakes);
            const owner = ownerOf(child);
            const ignore = (): void => {};
            if (roll < 0.3) {
              if (child.running) child.fail();
            } else if (roll < 0.4) {
              if (child.running) child.complete();
            } else if (roll < 0.45) owner.stopChild(child.name).catch(ignore);
            else if (roll < 0.5) owner.startChild(child.name).catch(ignore);
            else if (roll < 0.53) owner.remove(child.name).catch(ignore);
            else if (roll < 0.57) {
              const orphan =
                !root.children.includes(child.name) && !branch.children.includes(child.name);
              const target = pick([root, branch]);
              try {
                target.add(orphan && random() < 0.5 ? child : fake(), { shutdownTimeoutMs: 50 });
              } catch {
                // the name is taken there: nothing added
              }
            } else if (roll < 0.59) root.stopChild('branch').catch(ignore);
            else if (roll < 0.61) root.startChild('branch').catch(ignore);
            else if (roll < 0.62) void root.stop().then(() => random() < 0.5 && root.start());
            else await vi.advanceTimersByTimeAsync(Math.floor(random() * 15));
          }
          await vi.advanceTimersByTimeAsync(500);

          const mismatches: string[] = [];
          const compare = (status: SupervisorStatus): void => {
            if (status.state.kind !== 'running') return;
            for (const child of status.children) {
              const own = fakes.find((each) => each.name === child.name);
              if (own !== undefined && (child.state.kind === 'running') !== own.running) {
                mismatches.push(`${seed}:${child.path.join('/')}:${child.state.kind}`);
              }
              if (child.status !== undefined && 'children' in child.status) compare(child.status);
            }
          };
          compare(root.status());
          expect(mismatches).toEqual([]);
          for (const child of fakes) {
            const listed =
              root.children.includes(child.name) || branch.children.includes(child.name);
            if (!listed) expect(child.parent).toBeUndefined();
          }

          const stopping = root.stop();
          await vi.advanceTimersByTimeAsync(1_000);
          await stopping;
          const supervised = (child: SupervisedChild): boolean => child.path.length > 1;
          expect(fakes.filter((child) => child.running && supervised(child))).toEqual([]);
          expect(vi.getTimerCount()).toBe(0);
        }
      });

      expect(unhandled).toEqual([]);
    });
  });
});
