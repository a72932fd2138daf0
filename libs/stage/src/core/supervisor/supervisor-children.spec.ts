import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SupervisorNotRunningError } from '../errors/supervisor-not-running-error.js';
import { UnknownChildError } from '../errors/unknown-child-error.js';
import { FakeChild } from './fake-child.spec-helper.js';
import { Supervisor } from './supervisor.js';
import type { SupervisorEvent } from './supervisor-events.js';

function running(names: readonly string[]): {
  supervisor: Supervisor;
  children: FakeChild[];
  events: SupervisorEvent[];
} {
  const supervisor = new Supervisor({ name: 'app' });
  const events: SupervisorEvent[] = [];
  supervisor.on((event) => events.push(event));
  const children = names.map((name) => new FakeChild(name, { stopDelayMs: 10 }));
  for (const child of children) supervisor.add(child);
  supervisor.start();
  return { supervisor, children, events };
}

describe('Supervisor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('remove', () => {
    it('stops the child within its deadline, detaches it and frees its name at once', async () => {
      const { supervisor, children, events } = running(['a', 'b']);

      const removing = supervisor.remove('a');
      expect(supervisor.children).toEqual(['b']);
      supervisor.add(new FakeChild('a'));
      await vi.advanceTimersByTimeAsync(10);
      const report = await removing;

      expect(report).toMatchObject({ name: 'a', kind: 'stopped', report: { clean: true } });
      expect(children[0]!.running).toBe(false);
      expect(children[0]!.parent).toBeUndefined();
      expect(supervisor.children).toEqual(['b', 'a']);
      expect(events.filter((event) => event.type === 'child-removed')).toMatchObject([
        { child: 'a', reason: 'removed' },
      ]);
    });

    it('ignores an exit the removed child reports while it stops', async () => {
      const { supervisor, children, events } = running(['a']);
      const parent = children[0]!.parent!;

      const removing = supervisor.remove('a');
      parent.childExited(children[0]!, { kind: 'failed', error: new Error('late') });
      await vi.advanceTimersByTimeAsync(10);
      await removing;

      expect(events.some((event) => event.type === 'child-exited')).toBe(false);
      expect(children[0]!.starts).toBe(1);
    });

    it('rejects an unknown name with a typed error listing the children', async () => {
      const { supervisor } = running(['a', 'b']);

      await expect(supervisor.remove('zed')).rejects.toThrow(UnknownChildError);
      await expect(supervisor.remove('zed')).rejects.toThrow(/its children are "a", "b"/);
    });

    it('is waited for by a stop of the supervisor', async () => {
      const { supervisor, children } = running(['a', 'b']);
      children[0]!.onStop = 'abandon';

      const removing = supervisor.remove('a');
      const stopping = supervisor.stop();
      await vi.advanceTimersByTimeAsync(5_000);
      await stopping;

      await expect(removing).resolves.toMatchObject({ report: { clean: false } });
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('stopChild and startChild', () => {
    it('stops one child on purpose and starts it again on request', async () => {
      const { supervisor, children, events } = running(['a', 'b']);

      const stopping = supervisor.stopChild('a');
      await vi.advanceTimersByTimeAsync(10);
      await stopping;
      expect(supervisor.status().children[0]!.state).toEqual({ kind: 'stopped' });
      expect(children[1]!.running).toBe(true);

      await supervisor.startChild('a');

      expect(children[0]!.starts).toBe(2);
      expect(events.filter((event) => event.type === 'child-started').at(-1)).toMatchObject({
        child: 'a',
        reason: 'start-child',
      });
      expect(supervisor.status().restarts).toBe(0);
    });

    it('waits for a stop in progress before starting the child again', async () => {
      const { supervisor, children } = running(['a']);

      void supervisor.stopChild('a');
      const starting = supervisor.startChild('a');
      await vi.advanceTimersByTimeAsync(10);
      await starting;

      expect(children[0]!.starts).toBe(2);
      expect(children[0]!.running).toBe(true);
    });

    it('does nothing for a child that is running', async () => {
      const { supervisor, children } = running(['a']);

      await supervisor.startChild('a');

      expect(children[0]!.starts).toBe(1);
    });

    it('refuses to start a child of a supervisor that is not running', async () => {
      const supervisor = new Supervisor({ name: 'app' });
      supervisor.add(new FakeChild('a'));

      await expect(supervisor.startChild('a')).rejects.toThrow(SupervisorNotRunningError);
      await expect(supervisor.startChild('a')).rejects.toThrow(/the supervisor is idle/);
    });

    it('rejects an unknown name with a typed error', async () => {
      const { supervisor } = running(['a']);

      await expect(supervisor.stopChild('b')).rejects.toThrow(UnknownChildError);
    });
  });

  describe('status', () => {
    it('describes the supervisor and, recursively, its children', () => {
      const top = new Supervisor({ name: 'top', strategy: 'one-for-all' });
      const nested = new Supervisor({ name: 'nested' });
      nested.add(new FakeChild('leaf'));
      top.add(nested);
      top.add(new FakeChild('sibling'));
      top.start();

      const status = top.status();

      expect(status).toMatchObject({
        kind: 'supervisor',
        name: 'top',
        path: ['top'],
        strategy: 'one-for-all',
        restart: 'on-failure',
        state: { kind: 'running' },
        restarts: 0,
        failures: 0,
      });
      expect(status.children.map((child) => child.name)).toEqual(['nested', 'sibling']);
      expect(status.children[0]!.status).toMatchObject({
        kind: 'supervisor',
        path: ['top', 'nested'],
        children: [{ name: 'leaf', path: ['top', 'nested', 'leaf'], state: { kind: 'running' } }],
      });
      expect(status.children[1]!.status).toBeUndefined();
    });

    it('keeps the last failure of a child and its restart wait', async () => {
      const supervisor = new Supervisor({ name: 'app', backoff: { minMs: 1_000, jitter: 0 } });
      const child = new FakeChild('a');
      supervisor.add(child);
      supervisor.start();

      child.fail(new Error('broken pipe'));
      await vi.advanceTimersByTimeAsync(0);

      const [childStatus] = supervisor.status().children;
      expect(childStatus).toMatchObject({
        failures: 1,
        lastFailure: { error: { message: 'broken pipe' } },
        state: {
          kind: 'restarting',
          restartAt: Date.now() + 1_000,
          failure: { error: { message: 'broken pipe' } },
        },
      });
    });

    it('leaves out the own status of a child whose status() throws', () => {
      const supervisor = new Supervisor({ name: 'app' });
      const child = Object.assign(new FakeChild('a'), {
        status: () => {
          throw new Error('no status');
        },
      });
      supervisor.add(child);

      expect(supervisor.status().children[0]!.status).toBeUndefined();
    });
  });

  describe('events', () => {
    it('carry the supervisor name and path on every event', async () => {
      const top = new Supervisor({ name: 'top' });
      const nested = new Supervisor({ name: 'nested' });
      const events: SupervisorEvent[] = [];
      nested.on((event) => events.push(event));
      const leaf = new FakeChild('leaf');
      top.add(nested);
      nested.add(leaf);
      top.start();

      leaf.fail();
      await vi.advanceTimersByTimeAsync(0);
      await top.stop();

      expect(events.map((event) => event.type)).toEqual([
        'child-added',
        'started',
        'child-started',
        'child-exited',
        'restarting',
        'child-started',
        'stopped',
      ]);
      for (const event of events) {
        expect(event).toMatchObject({ supervisor: 'nested', path: ['top', 'nested'] });
      }
    });

    it('moves the children of a supervisor added to a parent after them', () => {
      const top = new Supervisor({ name: 'top' });
      const nested = new Supervisor({ name: 'nested' });
      const leaf = new FakeChild('leaf');
      nested.add(leaf);
      const cachedPath: (readonly string[])[] = [];
      const setParent = leaf.setParent.bind(leaf);
      leaf.setParent = (parent) => {
        setParent(parent);
        cachedPath.push(leaf.path);
      };

      top.add(nested);

      expect(cachedPath.at(-1)).toEqual(['top', 'nested', 'leaf']);
    });

    it('reports a throwing listener as hook-failed and keeps the tree working', async () => {
      const { supervisor, children } = running(['a']);
      const hooks: SupervisorEvent[] = [];
      supervisor.on(() => {
        throw new Error('listener bug');
      });
      supervisor.on((event) => event.type === 'hook-failed' && hooks.push(event));

      children[0]!.fail();
      await vi.advanceTimersByTimeAsync(20);

      expect(children[0]!.starts).toBe(2);
      expect(hooks.length).toBeGreaterThan(0);
      expect(hooks[0]).toMatchObject({ hook: 'listener', error: { message: 'listener bug' } });
    });

    it('survives a hook-failed listener that throws too', async () => {
      const { supervisor, children } = running(['a']);
      supervisor.on(() => {
        throw new Error('every event');
      });

      children[0]!.fail();
      await vi.advanceTimersByTimeAsync(20);
      const stopping = supervisor.stop();
      await vi.advanceTimersByTimeAsync(10);

      await expect(stopping).resolves.toMatchObject({ clean: true });
      expect(children[0]!.starts).toBe(2);
    });

    it('stops cleanly when a listener stops the supervisor from inside an event', async () => {
      const { supervisor, children } = running(['a', 'b']);
      let stopping: Promise<unknown> | undefined;
      supervisor.on((event) => {
        if (event.type === 'child-exited') stopping = supervisor.stop();
      });

      children[0]!.fail();
      await vi.advanceTimersByTimeAsync(100);
      await stopping;

      expect(children.map((child) => child.starts)).toEqual([1, 1]);
      expect(supervisor.status().state.kind).toBe('stopped');
    });

    it('unsubscribes a listener', async () => {
      const { supervisor, children } = running(['a']);
      const seen: string[] = [];
      const unsubscribe = supervisor.on((event) => seen.push(event.type));

      unsubscribe();
      children[0]!.fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(seen).toEqual([]);
    });
  });
});
