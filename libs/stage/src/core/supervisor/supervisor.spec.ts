import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DuplicateChildError } from '../errors/duplicate-child-error.js';
import { FakeChild } from './fake-child.spec-helper.js';
import { Supervisor } from './supervisor.js';
import type { SupervisorEvent } from './supervisor-events.js';

function tree(
  names: readonly string[],
  options: { readonly log?: string[] } = {},
): { supervisor: Supervisor; children: FakeChild[]; events: SupervisorEvent[] } {
  const supervisor = new Supervisor({ name: 'app' });
  const events: SupervisorEvent[] = [];
  supervisor.on((event) => events.push(event));
  const children = names.map((name) => new FakeChild(name, { log: options.log }));
  for (const child of children) supervisor.add(child);
  return { supervisor, children, events };
}

describe('Supervisor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('start', () => {
    it('starts the children in the order they were added', () => {
      const log: string[] = [];
      const { supervisor } = tree(['a', 'b', 'c'], { log });

      supervisor.start();

      expect(log).toEqual(['start:a', 'start:b', 'start:c']);
      expect(supervisor.status().state.kind).toBe('running');
    });

    it('does nothing when the supervisor is already running', () => {
      const { supervisor, children } = tree(['a']);
      supervisor.start();
      supervisor.start();

      expect(children[0]!.starts).toBe(1);
    });

    it('gives each child its path under the supervisor', () => {
      const { children } = tree(['a']);

      expect(children[0]!.path).toEqual(['app', 'a']);
    });

    it('treats a child whose start() throws as a failed child', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const child = new FakeChild('a');
      let throws = true;
      const start = child.start.bind(child);
      child.start = () => {
        start();
        if (throws) {
          throws = false;
          throw new Error('cannot start');
        }
      };
      const exits: SupervisorEvent[] = [];
      supervisor.on((event) => event.type === 'child-exited' && exits.push(event));
      supervisor.add(child);

      supervisor.start();
      await vi.advanceTimersByTimeAsync(0);

      expect(exits).toMatchObject([{ child: 'a', exit: { kind: 'failed' }, decision: 'restart' }]);
      expect(child.starts).toBe(2);
    });
  });

  describe('stop', () => {
    it('stops the children in reverse start order, one after the other', async () => {
      const log: string[] = [];
      const supervisor = new Supervisor({ name: 'app' });
      for (const name of ['a', 'b', 'c']) {
        supervisor.add(new FakeChild(name, { log, stopDelayMs: 10 }));
      }
      supervisor.start();
      log.length = 0;

      const stopping = supervisor.stop();
      await vi.advanceTimersByTimeAsync(10);
      expect(log).toEqual(['stop:c', 'stop:b']);
      await vi.advanceTimersByTimeAsync(20);

      const report = await stopping;
      expect(log).toEqual(['stop:c', 'stop:b', 'stop:a']);
      expect(report.children.map((child) => child.name)).toEqual(['c', 'b', 'a']);
      expect(report.clean).toBe(true);
      expect(report.settled).toBe(3);
    });

    it('passes each child its own shutdown deadline', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const slow = new FakeChild('slow');
      const plain = new FakeChild('plain');
      supervisor.add(slow, { shutdownTimeoutMs: 12_000 });
      supervisor.add(plain);
      supervisor.start();

      await supervisor.stop();

      expect(slow.stopTimeouts).toEqual([12_000]);
      expect(plain.stopTimeouts).toEqual([undefined]);
    });

    it('reports a child that ignores its stop as abandoned and still stops the others', async () => {
      const log: string[] = [];
      const supervisor = new Supervisor({ name: 'app' });
      supervisor.add(new FakeChild('first', { log }));
      supervisor.add(new FakeChild('stubborn', { log, onStop: 'abandon' }), {
        shutdownTimeoutMs: 1_000,
      });
      supervisor.add(new FakeChild('last', { log }));
      supervisor.start();

      const stopping = supervisor.stop();
      await vi.advanceTimersByTimeAsync(1_000);
      const report = await stopping;

      expect(log.filter((entry) => entry.startsWith('stop'))).toEqual([
        'stop:last',
        'stop:stubborn',
        'stop:first',
      ]);
      expect(report.clean).toBe(false);
      expect(report.abandoned).toEqual([{ path: ['app', 'stubborn'], index: 0, attempt: 1 }]);
      expect(report.children.find((child) => child.name === 'stubborn')).toMatchObject({
        kind: 'stopped',
        report: { clean: false },
      });
    });

    it('reports a child whose stop never resolves as timed out after its deadline', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const first = new FakeChild('first');
      supervisor.add(first);
      supervisor.add(new FakeChild('hung', { onStop: 'hang' }), { shutdownTimeoutMs: 500 });
      supervisor.start();

      const stopping = supervisor.stop();
      await vi.advanceTimersByTimeAsync(1_000);
      const report = await stopping;

      expect(report.children[0]).toMatchObject({ name: 'hung', kind: 'timed-out', timeoutMs: 500 });
      expect(report.clean).toBe(false);
      expect(first.running).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('reports a child whose stop() throws as failed and stops the others', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const first = new FakeChild('first');
      const broken = new FakeChild('broken');
      broken.stop = () => {
        throw new Error('boom');
      };
      supervisor.add(first);
      supervisor.add(broken);
      supervisor.start();

      const report = await supervisor.stop();

      expect(report.children[0]).toMatchObject({ name: 'broken', kind: 'failed' });
      expect(first.running).toBe(false);
    });

    it('caps the whole stop with timeoutMs, giving later children what is left', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const first = new FakeChild('first');
      const second = new FakeChild('second', { onStop: 'abandon' });
      supervisor.add(first, { shutdownTimeoutMs: 5_000 });
      supervisor.add(second, { shutdownTimeoutMs: 5_000 });
      supervisor.start();

      const stopping = supervisor.stop({ timeoutMs: 2_000 });
      await vi.advanceTimersByTimeAsync(2_000);
      await stopping;

      expect(second.stopTimeouts).toEqual([2_000]);
      expect(first.stopTimeouts).toEqual([0]);
    });

    it('returns the same report to every caller and stays stopped', async () => {
      const { supervisor } = tree(['a']);
      supervisor.start();

      const first = supervisor.stop();
      const second = supervisor.stop();

      expect(second).toBe(first);
      const report = await first;
      await expect(supervisor.stop()).resolves.toBe(report);
      expect(supervisor.status().state).toEqual({ kind: 'stopped', report });
    });

    it('resolves at once with an empty report when it was never started', async () => {
      const { supervisor, children } = tree(['a']);

      await expect(supervisor.stop()).resolves.toMatchObject({ clean: true, children: [] });
      expect(children[0]!.stopTimeouts).toEqual([]);
    });

    it('starts a new run with start() after the stop', async () => {
      const { supervisor, children } = tree(['a']);
      supervisor.start();
      await supervisor.stop();

      supervisor.start();

      expect(children[0]!.starts).toBe(2);
      expect(children[0]!.running).toBe(true);
    });

    it('begins the new run once the stop is over when start() is called during it', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const child = new FakeChild('a', { stopDelayMs: 100 });
      supervisor.add(child);
      supervisor.start();

      const stopping = supervisor.stop();
      supervisor.start();
      expect(child.starts).toBe(1);
      await vi.advanceTimersByTimeAsync(100);
      await stopping;

      expect(child.starts).toBe(2);
      expect(supervisor.status().state.kind).toBe('running');
    });

    it('does not start the children the stop skipped because they were never started', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      const child = new FakeChild('a', { stopDelayMs: 100 });
      supervisor.add(child);
      supervisor.start();
      const stopping = supervisor.stop();

      const late = new FakeChild('late');
      supervisor.add(late);
      await vi.advanceTimersByTimeAsync(100);
      const report = await stopping;

      expect(late.starts).toBe(0);
      expect(late.stopTimeouts).toEqual([]);
      expect(report.children.map((each) => each.name)).toEqual(['a']);
    });

    it('rejects an invalid timeoutMs synchronously with a typed error', () => {
      const { supervisor } = tree(['a']);
      supervisor.start();

      expect(() => supervisor.stop({ timeoutMs: -1 })).toThrow(/"timeoutMs" for supervisor "app"/);
    });
  });

  describe('on', () => {
    it('rejects a listener that is not a function, naming the supervisor', () => {
      const supervisor = new Supervisor({ name: 'pipeline' });

      expect(() => supervisor.on(undefined as never)).toThrow(
        'Invalid option "listener" for supervisor "pipeline": expected a function, received undefined.',
      );
    });
  });

  describe('add', () => {
    it('starts a child added to a running supervisor at once', () => {
      const { supervisor } = tree(['a']);
      supervisor.start();
      const late = new FakeChild('late');

      supervisor.add(late);

      expect(late.running).toBe(true);
      expect(supervisor.children).toEqual(['a', 'late']);
    });

    it('rejects a second child of the same name with a typed error and adds nothing', () => {
      const { supervisor } = tree(['a']);
      const twin = new FakeChild('a');

      expect(() => supervisor.add(twin)).toThrow(DuplicateChildError);
      expect(() => supervisor.add(twin)).toThrow(/already has a child named "a"/);
      expect(twin.parent).toBeUndefined();
      expect(supervisor.children).toEqual(['a']);
    });
  });
});
