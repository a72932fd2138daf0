import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { directStartOf, directTask, type DirectRunEnd } from './direct-task.js';
import type { GroupEvent } from './group-events.js';
import type { TaskContext } from './task-context.js';
import { TaskGroup } from './task-group.js';

/** A direct task whose runs end only when the test says so, through `ends`. */
function controlledTask() {
  const ends: DirectRunEnd[] = [];
  const contexts: TaskContext[] = [];
  const task = directTask((ctx, end) => {
    contexts.push(ctx);
    ends.push(end);
  });
  return { task, ends, contexts };
}

describe('directTask', () => {
  it('is found again by directStartOf, unlike a plain task', () => {
    const start = vi.fn();
    expect(directStartOf(directTask(start))).toBe(start);
    expect(directStartOf(async () => {})).toBeUndefined();
  });

  it('resolves the promise of a plain call when the run completes', async () => {
    const { task, ends } = controlledTask();
    const ran = task({ signal: new AbortController().signal, index: 0, attempt: 1, group: 'g' });

    ends[0]?.runEnded({ kind: 'completed' });

    await expect(ran).resolves.toBeUndefined();
  });

  it('rejects the promise of a plain call with the error of a failed run', async () => {
    const { task, ends } = controlledTask();
    const ran = task({ signal: new AbortController().signal, index: 0, attempt: 1, group: 'g' });
    const error = new Error('down');

    ends[0]?.runEnded({ kind: 'failed', error });

    await expect(ran).rejects.toBe(error);
  });
});

describe('TaskGroup running a direct task', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function group(task: ReturnType<typeof controlledTask>['task']) {
    const events: GroupEvent[] = [];
    const tasks = new TaskGroup({ name: 'direct', task, backoff: { minMs: 10, jitter: 0 } });
    tasks.on((event) => events.push(event));
    return { tasks, events };
  }

  it('never calls the task function, and restarts a run that reports a failure', async () => {
    const { task, ends } = controlledTask();
    const plainCall = vi.fn(task);
    Object.assign(plainCall, task); // keeps the direct entry, so only a plain call would show
    const { tasks, events } = group(plainCall);
    tasks.start();
    await vi.advanceTimersByTimeAsync(0);

    ends[0]?.runEnded({ kind: 'failed', error: new Error('down') });
    await vi.advanceTimersByTimeAsync(10);

    expect(plainCall).not.toHaveBeenCalled();
    expect(ends).toHaveLength(2);
    expect(events.map((event) => event.type)).toEqual([
      'started',
      'failed',
      'restarting',
      'started',
    ]);
    const stopping = tasks.stop();
    ends[1]?.runEnded({ kind: 'completed' });
    await expect(stopping).resolves.toMatchObject({ clean: true });
  });

  it('counts a run that ends after its stop was requested as stopped, not completed', async () => {
    const { task, ends } = controlledTask();
    const { tasks, events } = group(task);
    tasks.start();
    await vi.advanceTimersByTimeAsync(0);

    const stopping = tasks.stop({ timeoutMs: 1_000 });
    ends[0]?.runEnded({ kind: 'completed' });

    await expect(stopping).resolves.toMatchObject({ clean: true, settled: 1 });
    expect(events.map((event) => event.type)).toContain('task-stopped');
    expect(events.map((event) => event.type)).not.toContain('completed');
  });

  it('ignores the end of a run that its stop abandoned, and starts nothing for it', async () => {
    const { task, ends } = controlledTask();
    const { tasks } = group(task);
    tasks.start();
    await vi.advanceTimersByTimeAsync(0);

    const report = tasks.stop({ timeoutMs: 5 });
    await vi.advanceTimersByTimeAsync(5);
    await expect(report).resolves.toMatchObject({ clean: false });
    ends[0]?.runEnded({ kind: 'failed', error: new Error('late') });
    await vi.advanceTimersByTimeAsync(1_000);

    expect(ends).toHaveLength(1);
    expect(tasks.status()).toMatchObject({ running: 0, failures: 0 });
  });

  it('fails the run whose direct start throws, like a task that throws at once', async () => {
    const failing = directTask(() => {
      throw new Error('cannot start');
    });
    const events: GroupEvent[] = [];
    const tasks = new TaskGroup({ name: 'direct', task: failing, restart: 'never' });
    tasks.on((event) => events.push(event));
    tasks.start();
    await vi.advanceTimersByTimeAsync(0);

    const failed = events.find((event) => event.type === 'failed');
    expect(failed).toMatchObject({ error: { message: 'cannot start' } });
  });
});
