import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GroupEvent } from './group-events.js';
import { RESTART_POLICIES } from './restart-policy.js';
import type { TaskContext, TaskFn } from './task-context.js';
import { TaskGroup } from './task-group.js';

/** What one run of a task does. */
type Step =
  | { readonly kind: 'complete' | 'fail'; readonly afterMs: number }
  | { readonly kind: 'throw' }
  | { readonly kind: 'hang'; readonly ignoresSignal: boolean; readonly forMs: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('complete' as const, 'fail' as const, 'fail' as const),
    afterMs: fc.integer({ min: 0, max: 80 }),
  }),
  fc.constant({ kind: 'throw' as const }),
  fc.record({
    kind: fc.constant('hang' as const),
    ignoresSignal: fc.boolean(),
    forMs: fc.integer({ min: 1, max: 400 }),
  }),
);

const scenario = fc.record({
  size: fc.integer({ min: 1, max: 3 }),
  restart: fc.constantFrom(...RESTART_POLICIES),
  maxRestarts: fc.integer({ min: 0, max: 6 }),
  withinMs: fc.integer({ min: 20, max: 500 }),
  minMs: fc.integer({ min: 0, max: 40 }),
  spanMs: fc.integer({ min: 0, max: 200 }),
  seed: fc.integer(),
  scripts: fc.array(fc.array(step, { maxLength: 12 }), { minLength: 3, maxLength: 3 }),
  stopAtMs: fc.integer({ min: 0, max: 1_500 }),
  shutdownTimeoutMs: fc.integer({ min: 0, max: 200 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer TValue> ? TValue : never;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The task of a scenario: slot `i` plays `scripts[i]` in order, then waits for its signal. */
function scripted(scripts: readonly (readonly Step[])[], calls: { count: number }): TaskFn {
  const played = scripts.map(() => 0);
  return (ctx: TaskContext) => {
    calls.count++;
    const next = scripts[ctx.index]![played[ctx.index]!++];
    if (next === undefined || (next.kind === 'hang' && !next.ignoresSignal)) {
      return new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
    }
    if (next.kind === 'throw') throw new Error(`sync ${ctx.index}/${ctx.attempt}`);
    if (next.kind === 'hang') return sleep(next.forMs);
    return sleep(next.afterMs).then(() => {
      if (next.kind === 'fail') throw new Error(`async ${ctx.index}/${ctx.attempt}`);
    });
  };
}

interface Timed {
  readonly at: number;
  readonly event: GroupEvent;
}

async function play(setup: Scenario) {
  const calls = { count: 0 };
  const group = new TaskGroup({
    name: 'prop',
    size: setup.size,
    restart: setup.restart,
    intensity: { maxRestarts: setup.maxRestarts, withinMs: setup.withinMs },
    backoff: {
      minMs: setup.minMs,
      maxMs: setup.minMs + setup.spanMs,
      random: (() => {
        let state = setup.seed;
        return () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
      })(),
    },
    shutdownTimeoutMs: setup.shutdownTimeoutMs,
    task: scripted(setup.scripts, calls),
  });
  const timeline: Timed[] = [];
  const started = Date.now();
  group.on((event) => timeline.push({ at: Date.now() - started, event }));

  group.start();
  await vi.advanceTimersByTimeAsync(setup.stopAtMs);
  const eventsBeforeStop = timeline.length;
  const stopping = group.stop();
  await vi.advanceTimersByTimeAsync(setup.shutdownTimeoutMs + 1);
  const report = await stopping;
  const callsAtStop = calls.count;
  const eventsAtStop = timeline.length;
  await vi.advanceTimersByTimeAsync(10_000);

  return { group, timeline, report, callsAtStop, eventsAtStop, eventsBeforeStop, calls };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TaskGroup (properties over random task outcomes and stops)', () => {
  it('restarts by its policy, within its backoff bounds and intensity, and never after stop', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (setup) => {
        const { group, timeline, report, callsAtStop, eventsAtStop, eventsBeforeStop, calls } =
          await play(setup);
        const events = timeline.map(({ event }) => event);

        // Nothing starts after stop() resolved, and the group says nothing more.
        expect(calls.count).toBe(callsAtStop);
        expect(timeline).toHaveLength(eventsAtStop);

        const ended = new Map<number, GroupEvent['type']>();
        const attempts = new Map<number, number>();
        const restartTimes: number[] = [];
        for (const { at, event } of timeline) {
          if (event.type === 'started') {
            // Attempts of a slot count up from 1, one per start.
            expect(event.attempt).toBe((attempts.get(event.index) ?? 0) + 1);
            attempts.set(event.index, event.attempt);
          }
          if (event.type === 'completed' || event.type === 'failed') {
            ended.set(event.index, event.type);
          }
          if (event.type === 'restarting') {
            // Only what the policy restarts is restarted.
            const cause = ended.get(event.index);
            if (cause === 'completed') expect(setup.restart).toBe('always');
            else expect(cause === 'failed' && setup.restart !== 'never').toBe(true);
            // Backoff bounds; a completion waits the minimum.
            expect(event.delayMs).toBeGreaterThanOrEqual(setup.minMs);
            expect(event.delayMs).toBeLessThanOrEqual(setup.minMs + setup.spanMs);
            if (cause === 'completed') expect(event.delayMs).toBe(setup.minMs);
            // The window never holds more than maxRestarts restarts.
            const inWindow = restartTimes.filter((time) => at - time < setup.withinMs).length;
            expect(inWindow).toBeLessThan(setup.maxRestarts);
            restartTimes.push(at);
          }
          if (event.type === 'gave-up') {
            // It gives up exactly when the window is full.
            const inWindow = restartTimes.filter((time) => at - time < setup.withinMs).length;
            expect(inWindow).toBe(setup.maxRestarts);
          }
        }

        // Every run that started settled, or was reported abandoned.
        const startedRuns = events.filter((event) => event.type === 'started').length;
        const settledRuns = events.filter(
          (event) =>
            event.type === 'completed' || event.type === 'failed' || event.type === 'task-stopped',
        ).length;
        const abandoned = events
          .filter((event) => event.type === 'stopped')
          .reduce(
            (sum, event) => sum + (event.type === 'stopped' ? event.report.abandoned.length : 0),
            0,
          );
        expect(startedRuns).toBe(settledRuns + abandoned);
        expect(events.filter((event) => event.type === 'gave-up').length).toBeLessThanOrEqual(1);

        // The final state follows from how the run ended. A stop() made while a give-up still
        // waited for its tasks takes it over: the group ends stopped.
        const state = group.status().state.kind;
        const gaveUpAt = events.findIndex((event) => event.type === 'gave-up');
        const haltEndedAt = events.findIndex(
          (event, at) => at > gaveUpAt && event.type === 'stopped',
        );
        const takenOver =
          gaveUpAt !== -1 && (haltEndedAt === -1 || haltEndedAt >= eventsBeforeStop);
        if (gaveUpAt !== -1 && !takenOver) expect(state).toBe('gave-up');
        else expect(['stopped', 'completed']).toContain(state);
        if (state === 'stopped') expect(group.status().state).toEqual({ kind: 'stopped', report });
        expect(group.status().restarts).toBe(restartTimes.length);
      }),
      { numRuns: 300 },
    );
  });
});
