import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachGroupLog, type GroupLogger } from './failure-log.js';
import type { GroupEvent, GroupListener } from './group-events.js';
import { TaskGroup } from './task-group.js';
import { GroupGaveUpError } from '../errors/group-gave-up-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

/** A hand-driven event source, so that each test says exactly which events happen when. */
function source() {
  let listener: GroupListener | undefined;
  return {
    on(next: GroupListener) {
      listener = next;
      return () => {
        listener = undefined;
      };
    },
    emit(event: GroupEvent) {
      listener?.(event);
    },
    get subscribed() {
      return listener !== undefined;
    },
  };
}

function logger() {
  const lines: [string, string, string?][] = [];
  const target: GroupLogger = {
    log: (message) => lines.push(['log', message]),
    warn: (message) => lines.push(['warn', message]),
    error: (message, stack) => lines.push(['error', message, stack]),
  };
  return { target, lines };
}

const base = { group: 'mailer', path: ['mailer'] } as const;

function failed(message: string, index = 0, attempt = 1): GroupEvent {
  return { ...base, type: 'failed', index, attempt, error: new Error(message) };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('attachGroupLog', () => {
  it('logs the first failure at error level with its stack', () => {
    const events = source();
    const { target, lines } = logger();
    attachGroupLog(events, target);
    const event = failed('smtp down', 2, 4);
    events.emit(event);
    expect(lines).toEqual([
      [
        'error',
        'group "mailer": task 2 (attempt 4) failed: smtp down',
        (event as { error: Error }).error.stack,
      ],
    ]);
  });

  it('counts further failures within the window and sums them up in one line', async () => {
    const events = source();
    const { target, lines } = logger();
    attachGroupLog(events, target);
    events.emit(failed('first'));
    for (let count = 1; count <= 37; count++) events.emit(failed(`failure ${count}`));
    expect(lines).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(5_000);
    expect(lines.slice(1)).toEqual([
      ['warn', 'group "mailer": 37 more failures in the last 5 s, last: failure 37'],
    ]);
  });

  it('keeps summing up while the storm goes on, and logs in full after a quiet window', async () => {
    const events = source();
    const { target, lines } = logger();
    attachGroupLog(events, target, { windowMs: 1_000 });
    events.emit(failed('a'));
    events.emit(failed('b'));
    await vi.advanceTimersByTimeAsync(1_000);
    events.emit(failed('c'));
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    events.emit(failed('d'));

    expect(lines.map(([level, message]) => [level, message])).toEqual([
      ['error', 'group "mailer": task 0 (attempt 1) failed: a'],
      ['warn', 'group "mailer": 1 more failure in the last 1 s, last: b'],
      ['warn', 'group "mailer": 1 more failure in the last 1 s, last: c'],
      ['error', 'group "mailer": task 0 (attempt 1) failed: d'],
    ]);
  });

  it('logs the stack again after a quiet window, even for an error object thrown again', async () => {
    const events = source();
    const { target, lines } = logger();
    attachGroupLog(events, target, { windowMs: 1_000 });
    // A client that rejects every call with one shared error object, as some drivers do.
    const down: GroupEvent = {
      ...base,
      type: 'failed',
      index: 0,
      attempt: 1,
      error: new Error('down'),
    };
    events.emit(down);
    await vi.advanceTimersByTimeAsync(5_000);
    events.emit(down);

    const stacks = lines.filter(([level]) => level === 'error').map(([, , stack]) => stack);
    expect(stacks).toHaveLength(2);
    expect(stacks[1]).toContain('Error: down');
  });

  it('always logs a give-up at error level, after the pending summary', () => {
    const events = source();
    const { target, lines } = logger();
    attachGroupLog(events, target);
    events.emit(failed('a'));
    events.emit(failed('b'));
    const error = new GroupGaveUpError({
      group: 'mailer',
      path: ['mailer'],
      limit: { maxRestarts: 1, withinMs: 10 },
      cause: new Error('b'),
    });
    events.emit({ ...base, type: 'gave-up', error });

    expect(lines.slice(1)).toEqual([
      ['warn', 'group "mailer": 1 more failure in the last 5 s, last: b'],
      ['error', error.message, error.stack],
    ]);
  });

  it('logs a clean stop, and warns about abandoned tasks', () => {
    const events = source();
    const { target, lines } = logger();
    attachGroupLog(events, target);
    events.emit({ ...base, type: 'stopped', report: { settled: 2, abandoned: [], clean: true } });
    events.emit({
      ...base,
      type: 'stopped',
      report: { settled: 1, abandoned: [{ index: 1, attempt: 3 }], clean: false },
    });
    expect(lines[0]).toEqual(['log', 'group "mailer" stopped.']);
    expect(lines[1]?.[0]).toBe('warn');
    expect(lines[1]?.[1]).toBe(
      'group "mailer" stopped, abandoning 1 task that did not settle in time: 1 (attempt 3). ' +
        'It keeps running unobserved; make it honour ctx.signal.',
    );
  });

  it('names abandoned tasks in the plural when there are several', () => {
    const events = source();
    const { target, lines } = logger();
    attachGroupLog(events, target);
    const abandoned = [
      { index: 0, attempt: 1 },
      { index: 1, attempt: 2 },
    ];
    events.emit({ ...base, type: 'stopped', report: { settled: 0, abandoned, clean: false } });
    expect(lines[0]?.[1]).toBe(
      'group "mailer" stopped, abandoning 2 tasks that did not settle in time: 0 (attempt 1), ' +
        '1 (attempt 2). They keep running unobserved; make them honour ctx.signal.',
    );
  });

  it('aggregates hook failures apart from task failures', () => {
    const events = source();
    const { target, lines } = logger();
    attachGroupLog(events, target);
    events.emit(failed('task'));
    events.emit({ ...base, type: 'hook-failed', hook: 'listener', error: new Error('hook') });
    events.emit({ ...base, type: 'hook-failed', hook: 'listener', error: new Error('hook') });
    expect(lines.map(([level, message]) => [level, message])).toEqual([
      ['error', 'group "mailer": task 0 (attempt 1) failed: task'],
      ['error', 'group "mailer": listener threw: hook'],
    ]);
  });

  it('ignores starts, completions and restarts', () => {
    const events = source();
    const { target, lines } = logger();
    attachGroupLog(events, target);
    events.emit({ ...base, type: 'started', index: 0, attempt: 1 });
    events.emit({ ...base, type: 'completed', index: 0, attempt: 1 });
    events.emit({ ...base, type: 'restarting', index: 0, attempt: 2, delayMs: 1, failures: 0 });
    events.emit({ ...base, type: 'task-stopped', index: 0, attempt: 2 });
    expect(lines).toEqual([]);
  });

  it('writes the pending summary and stops listening when detached', () => {
    const events = source();
    const { target, lines } = logger();
    const detach = attachGroupLog(events, target);
    events.emit(failed('a'));
    events.emit(failed('b'));
    detach();
    detach();
    expect(events.subscribed).toBe(false);
    expect(lines.at(-1)).toEqual([
      'warn',
      'group "mailer": 1 more failure in the last 5 s, last: b',
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('names the path of a group inside a tree', () => {
    const events = source();
    const { target, lines } = logger();
    attachGroupLog(events, target);
    events.emit({ ...failed('x'), path: ['root', 'billing', 'mailer'] });
    expect(lines[0]?.[1]).toMatch(/^group "root\/billing\/mailer": /);
  });

  it('rejects a bad window and a logger without the methods it needs', () => {
    const { target } = logger();
    expect(() => attachGroupLog(source(), target, { windowMs: 0 })).toThrow(InvalidOptionError);
    const partial = { log: () => {}, warn: () => {} } as unknown as GroupLogger;
    expect(() => attachGroupLog(source(), partial)).toThrow(
      expect.objectContaining({ option: 'logger.error' }),
    );
  });

  it('keeps a storm of a real group to a few lines', async () => {
    const group = new TaskGroup({
      name: 'storm',
      size: 10,
      intensity: false,
      backoff: { minMs: 0, maxMs: 0 },
      task: async () => Promise.reject(new Error('down')),
    });
    const { target, lines } = logger();
    attachGroupLog(group, target, { windowMs: 500 });
    group.start();
    await vi.advanceTimersByTimeAsync(600);
    await group.stop();

    expect(group.status().failures).toBeGreaterThan(1_000);
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(lines[1]?.[1]).toMatch(
      /^group "storm": \d+ more failures in the last 0.5 s, last: down$/,
    );
  });

  it('survives a logger that throws: the group reports it and goes on', async () => {
    const group = new TaskGroup({
      name: 'noisy',
      restart: 'never',
      task: async () => Promise.reject(new Error('down')),
    });
    const thrower: GroupLogger = {
      log: () => {},
      warn: () => {},
      error: () => {
        throw new Error('log full');
      },
    };
    attachGroupLog(group, thrower);
    group.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(group.status().state.kind).toBe('completed');
  });
});
