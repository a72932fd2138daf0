import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { causeChain } from '../errors/cause-chain.js';
import { isStageError } from '../errors/stage-error.js';
import type { TaskContext } from '../group/task-context.js';
import { TaskGroup } from '../group/task-group.js';
import type { ChildExit } from './child.js';
import { RootSupervisor } from './root-supervisor.js';
import { Supervisor } from './supervisor.js';

/** A task that runs until its signal fires. */
function untilStopped(ctx: TaskContext): Promise<void> {
  return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
}

/** A group whose task fails at once on every start, giving up after its second failure. */
function failingGroup(name: string, calls: { count: number }): TaskGroup {
  return new TaskGroup({
    name,
    task: () => {
      calls.count += 1;
      throw new Error('no connection');
    },
    backoff: { minMs: 0 },
    intensity: { maxRestarts: 1, withinMs: 60_000 },
  });
}

describe('Supervisor with task groups', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('restarts a group that gave up, then gives up itself with the whole cause chain', async () => {
    const exits: ChildExit[] = [];
    const supervisor = new Supervisor({
      name: 'app',
      intensity: { maxRestarts: 1, withinMs: 60_000 },
    });
    supervisor.setParent({ path: ['root'], childExited: (_child, exit) => exits.push(exit) });
    const calls = { count: 0 };
    supervisor.add(failingGroup('db', calls));

    supervisor.start();
    await vi.advanceTimersByTimeAsync(100);

    expect(calls.count).toBe(4);
    expect(supervisor.status().restarts).toBe(1);
    expect(exits).toHaveLength(1);
    const error = (exits[0] as { error: Error }).error;
    expect(
      causeChain(error).map((link) => (isStageError(link) ? link.code : link.message)),
    ).toEqual(['STAGE_SUPERVISOR_GAVE_UP', 'STAGE_GROUP_GAVE_UP', 'no connection']);
    expect(error).toMatchObject({ child: ['root', 'app', 'db'] });
  });

  it('stops groups in reverse order and reports a task that ignores its signal', async () => {
    const supervisor = new Supervisor({ name: 'app' });
    const stopped: string[] = [];
    const first = new TaskGroup({ name: 'first', task: untilStopped });
    const stubborn = new TaskGroup({ name: 'stubborn', task: () => new Promise(() => {}) });
    const last = new TaskGroup({ name: 'last', task: untilStopped });
    for (const group of [first, stubborn, last]) {
      group.on((event) => event.type === 'stopped' && stopped.push(event.group));
    }
    supervisor.add(first);
    supervisor.add(stubborn, { shutdownTimeoutMs: 1_000 });
    supervisor.add(last);
    supervisor.start();
    await vi.advanceTimersByTimeAsync(10);

    const stopping = supervisor.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    const report = await stopping;

    expect(stopped).toEqual(['last', 'stubborn', 'first']);
    expect(report).toMatchObject({
      settled: 2,
      clean: false,
      abandoned: [{ path: ['app', 'stubborn'], index: 0, attempt: 1 }],
    });
    expect(first.status().state.kind).toBe('stopped');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('restarts the sibling groups when one gives up under one-for-all', async () => {
    const supervisor = new Supervisor({ name: 'app', strategy: 'one-for-all' });
    let siblingRuns = 0;
    const sibling = new TaskGroup({
      name: 'sibling',
      task: (ctx) => {
        siblingRuns += 1;
        return untilStopped(ctx);
      },
    });
    let failuresLeft = 2;
    const flaky = new TaskGroup({
      name: 'flaky',
      task: (ctx) => {
        if (failuresLeft-- > 0) throw new Error('not yet');
        return untilStopped(ctx);
      },
      backoff: { minMs: 0 },
      intensity: { maxRestarts: 1, withinMs: 60_000 },
    });
    supervisor.add(sibling);
    supervisor.add(flaky);

    supervisor.start();
    await vi.advanceTimersByTimeAsync(10);

    expect(siblingRuns).toBe(2);
    expect(supervisor.status().restarts).toBe(1);
    expect(sibling.status().state.kind).toBe('running');
    expect(flaky.status().state.kind).toBe('running');
    await supervisor.stop();
  });

  it('leaves a group whose tasks complete under on-failure ended', async () => {
    const supervisor = new Supervisor({ name: 'app' });
    supervisor.add(new TaskGroup({ name: 'migrate', task: async () => {} }));

    supervisor.start();
    await vi.advanceTimersByTimeAsync(10);

    const [child] = supervisor.status().children;
    expect(child!.state).toMatchObject({ kind: 'ended', exit: { kind: 'completed' } });
    expect(child!.status).toMatchObject({ name: 'migrate', state: { kind: 'completed' } });
  });

  it("shows each group's own status, with its path in the tree", async () => {
    const top = new Supervisor({ name: 'top' });
    const nested = new Supervisor({ name: 'nested' });
    nested.add(new TaskGroup({ name: 'worker', size: 3, task: untilStopped }));
    top.add(nested);
    top.start();
    await vi.advanceTimersByTimeAsync(10);

    const worker = top.status().children[0]!.status;

    expect(worker).toMatchObject({
      kind: 'supervisor',
      children: [
        {
          name: 'worker',
          path: ['top', 'nested', 'worker'],
          status: { path: ['top', 'nested', 'worker'], size: 3, running: 3 },
        },
      ],
    });
    await top.stop();
  });

  it('lets the root restart a group that gave up after the long backoff', async () => {
    const root = new RootSupervisor();
    const calls = { count: 0 };
    root.add(failingGroup('db', calls));

    root.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls.count).toBe(2);
    expect(root.health()).toMatchObject({ status: 'recovering', failing: [{ name: 'db' }] });

    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls.count).toBe(4);

    await root.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
