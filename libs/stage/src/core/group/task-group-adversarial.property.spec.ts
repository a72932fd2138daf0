import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GroupEvent, GroupEventType } from './group-events.js';
import { RESTART_POLICIES } from './restart-policy.js';
import type { TaskContext, TaskFn } from './task-context.js';
import { TaskGroup } from './task-group.js';

/** What one run of a task does. */
type Step =
  | { readonly kind: 'complete' | 'fail'; readonly afterMs: number }
  | { readonly kind: 'throw' }
  | { readonly kind: 'hang'; readonly ignoresSignal: boolean; readonly forMs: number };

/** What user code does to the group from inside a callback. */
type Action =
  | { readonly kind: 'stop'; readonly timeoutMs: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'stop-then-start' }
  | { readonly kind: 'resize'; readonly size: number };

/** Where user code runs: a group event, a task's abort listener, or the backoff's random source. */
type Trigger = GroupEventType | 'abort' | 'random';

interface Reaction {
  readonly on: Trigger;
  readonly action: Action;
  /** How many times it fires at most. */
  readonly times: number;
}

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('complete' as const, 'fail' as const),
    afterMs: fc.integer({ min: 0, max: 60 }),
  }),
  fc.constant({ kind: 'throw' as const }),
  fc.record({
    kind: fc.constant('hang' as const),
    ignoresSignal: fc.boolean(),
    forMs: fc.integer({ min: 1, max: 300 }),
  }),
);

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('stop' as const), timeoutMs: fc.integer({ min: 0, max: 100 }) }),
  fc.constant({ kind: 'start' as const }),
  fc.constant({ kind: 'stop-then-start' as const }),
  fc.record({ kind: fc.constant('resize' as const), size: fc.integer({ min: 0, max: 4 }) }),
);

const trigger: fc.Arbitrary<Trigger> = fc.constantFrom(
  'started',
  'completed',
  'failed',
  'task-stopped',
  'restarting',
  'gave-up',
  'stopped',
  'abort',
  'random',
);

const reaction: fc.Arbitrary<Reaction> = fc.record({
  on: trigger,
  action,
  times: fc.integer({ min: 1, max: 3 }),
});

const scenario = fc.record({
  size: fc.integer({ min: 1, max: 3 }),
  restart: fc.constantFrom(...RESTART_POLICIES),
  maxRestarts: fc.integer({ min: 0, max: 6 }),
  withinMs: fc.integer({ min: 20, max: 400 }),
  minMs: fc.integer({ min: 0, max: 30 }),
  spanMs: fc.integer({ min: 0, max: 60 }),
  scripts: fc.array(fc.array(step, { maxLength: 8 }), { minLength: 5, maxLength: 5 }),
  reactions: fc.array(reaction, { minLength: 1, maxLength: 4 }),
  stopAtMs: fc.integer({ min: 0, max: 800 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer TValue> ? TValue : never;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Plays a scenario; user code reacts through `react` until `quiet.value` is set. */
async function play(setup: Scenario) {
  const counts = { calls: 0, live: 0 };
  const played = setup.scripts.map(() => 0);
  /** Whether each stop called from user code has resolved. */
  const stops: { done: boolean }[] = [];
  const thrown: unknown[] = [];
  const fired = setup.reactions.map(() => 0);
  const quiet = { value: false };

  const track = (stopping: Promise<unknown>): void => {
    const stop = { done: false };
    stops.push(stop);
    void stopping.then(() => (stop.done = true));
  };
  const react = (on: Trigger): void => {
    if (quiet.value) return;
    setup.reactions.forEach((reaction, at) => {
      if (reaction.on !== on || fired[at]! >= reaction.times) return;
      fired[at]!++;
      try {
        const { action: act } = reaction;
        if (act.kind === 'stop') track(target.stop({ timeoutMs: act.timeoutMs }));
        if (act.kind === 'start') target.start();
        if (act.kind === 'stop-then-start') {
          track(target.stop());
          target.start();
        }
        if (act.kind === 'resize') target.resize(act.size);
      } catch (error) {
        thrown.push(error);
      }
    });
  };

  const body = async (ctx: TaskContext): Promise<void> => {
    ctx.signal.addEventListener('abort', () => react('abort'));
    const next = setup.scripts[ctx.index]?.[played[ctx.index]!++];
    if (next === undefined || (next.kind === 'hang' && !next.ignoresSignal)) {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      return;
    }
    if (next.kind === 'throw') throw new Error(`sync ${ctx.index}/${ctx.attempt}`);
    if (next.kind === 'hang') return sleep(next.forMs);
    await sleep(next.afterMs);
    if (next.kind === 'fail') throw new Error(`async ${ctx.index}/${ctx.attempt}`);
  };
  const task: TaskFn = (ctx) => {
    counts.calls++;
    counts.live++;
    let result: Promise<void>;
    try {
      result = body(ctx);
    } catch (error) {
      counts.live--;
      throw error;
    }
    return result.finally(() => counts.live--);
  };

  let draws = 0;
  const target: TaskGroup = new TaskGroup({
    name: 'reentrant',
    size: setup.size,
    restart: setup.restart,
    intensity: { maxRestarts: setup.maxRestarts, withinMs: setup.withinMs },
    backoff: {
      minMs: setup.minMs,
      maxMs: setup.minMs + setup.spanMs,
      random: () => {
        react('random');
        return (draws++ % 10) / 10;
      },
    },
    shutdownTimeoutMs: 50,
    task,
  });
  const events: GroupEvent[] = [];
  target.on((event) => {
    events.push(event);
    react(event.type);
  });

  target.start();
  await vi.advanceTimersByTimeAsync(setup.stopAtMs);
  quiet.value = true;
  const final = target.stop();
  let resolved = false;
  void final.then(() => (resolved = true));
  // Past every deadline: the group's (50 ms) and those of stops from user code (up to 100 ms).
  await vi.advanceTimersByTimeAsync(101);
  const resolvedInTime = resolved;
  const callsAtStop = counts.calls;
  const eventsAtStop = events.length;
  await vi.advanceTimersByTimeAsync(10_000);

  return { target, events, counts, stops, thrown, resolvedInTime, callsAtStop, eventsAtStop };
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

afterEach(() => {
  vi.useRealTimers();
  process.off('unhandledRejection', onUnhandled);
});

describe('TaskGroup (properties over re-entrant user code)', () => {
  it('stays consistent when user callbacks stop, start and resize it', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (setup) => {
        const { target, events, counts, stops, thrown, resolvedInTime, callsAtStop, eventsAtStop } =
          await play(setup);

        // No call made from user code threw, and every stop resolved, the final one in time.
        expect(thrown).toEqual([]);
        expect(resolvedInTime).toBe(true);
        expect(stops.filter((stop) => !stop.done)).toEqual([]);

        // Nothing runs or speaks after the final stop, and nothing is left behind.
        expect(counts.calls).toBe(callsAtStop);
        expect(events).toHaveLength(eventsAtStop);
        expect(counts.live).toBe(0);
        expect(target.status().running).toBe(0);
        expect(['stopped', 'gave-up', 'completed']).toContain(target.status().state.kind);
        expect(vi.getTimerCount()).toBe(0);
        expect(unhandled).toEqual([]);

        // Every run that started settled, or was reported abandoned by a stop.
        const started = events.filter((event) => event.type === 'started').length;
        const ended = events.filter(
          (event) =>
            event.type === 'completed' || event.type === 'failed' || event.type === 'task-stopped',
        ).length;
        const abandoned = events.reduce(
          (sum, event) => sum + (event.type === 'stopped' ? event.report.abandoned.length : 0),
          0,
        );
        expect(started).toBe(ended + abandoned);
        expect(counts.calls).toBeLessThanOrEqual(started);
      }),
      { numRuns: 300 },
    );
  });
});
