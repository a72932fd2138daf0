import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Channel } from './channel.js';
import { expectBalanced } from './channel.spec-helper.js';
import type { Delivery } from './delivery.js';
import { handleChannel } from './handle-channel.js';
import { TaskGroup } from '../group/task-group.js';

/** What a handler does with one delivery. */
type Behaviour =
  | 'sync-reply'
  | 'sync-throw'
  | 'async-reply'
  | 'async-throw'
  | 'hang'
  | 'ack-then-hang'
  | 'fail-then-hang'
  | 'ack-then-throw'
  | 'slow-reply';

const BEHAVIOURS: readonly Behaviour[] = [
  'sync-reply',
  'sync-throw',
  'async-reply',
  'async-throw',
  'hang',
  'ack-then-hang',
  'fail-then-hang',
  'ack-then-throw',
  'slow-reply',
];

type Command =
  | { readonly kind: 'send'; readonly behaviour: number }
  | { readonly kind: 'request'; readonly behaviour: number; readonly timeoutMs?: number }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'stop'; readonly timeoutMs: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'resize'; readonly size: number }
  | { readonly kind: 'close'; readonly timeoutMs: number };

const behaviour = fc.nat({ max: BEHAVIOURS.length - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), behaviour }) },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        kind: fc.constant('request' as const),
        behaviour,
        timeoutMs: fc.integer({ min: 1, max: 60 }),
      },
      { requiredKeys: ['kind', 'behaviour'] },
    ),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('stop' as const),
      timeoutMs: fc.integer({ min: 0, max: 30 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('start' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('resize' as const),
      size: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('close' as const),
      timeoutMs: fc.integer({ min: 0, max: 50 }),
    }),
  },
);

const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Handles a message as its body says; every handler settles within 200 ms of fake time. */
function handle(body: { readonly behaviour: Behaviour }, delivery: Delivery<unknown, unknown>) {
  switch (body.behaviour) {
    case 'sync-reply':
      return 'ok';
    case 'sync-throw':
      throw new Error('sync');
    case 'async-reply':
      return later(5).then(() => 'ok');
    case 'async-throw':
      return later(5).then(() => {
        throw new Error('async');
      });
    case 'hang':
      return later(200).then(() => 'late');
    case 'ack-then-hang':
      delivery.ack('acked');
      return later(200);
    case 'fail-then-hang':
      delivery.fail(new Error('refused'));
      return later(200);
    case 'ack-then-throw':
      delivery.ack('acked');
      return later(5).then(() => {
        throw new Error('after ack');
      });
    case 'slow-reply':
      return later(25).then(() => 'slow');
  }
}

describe('handler mode with a handler deadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('balances at every step, answers every sender and leaves no deadline armed, under any interleaving', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 3 }),
          fc.array(command, { minLength: 1, maxLength: 50 }),
          async (capacity, maxDeliveries, size, commands) => {
            const channel = new Channel<{ behaviour: Behaviour }, unknown>({
              name: 'deadlines',
              capacity,
              overflow: 'reject',
              maxDeliveries,
              redelivery: { minMs: 5, maxMs: 20 },
            });
            const group = new TaskGroup({
              name: 'handlers',
              size,
              backoff: { minMs: 1, maxMs: 1 },
              intensity: false,
              task: handleChannel(channel, handle, { handlerTimeoutMs: 15 }),
            });
            group.start();
            const senders: boolean[] = [];
            const track = (promise: Promise<unknown>) => {
              const index = senders.push(false) - 1;
              promise.then(
                () => (senders[index] = true),
                () => (senders[index] = true),
              );
            };

            for (const step of commands) {
              switch (step.kind) {
                case 'send':
                  track(channel.send({ behaviour: BEHAVIOURS[step.behaviour]! }));
                  break;
                case 'request':
                  track(
                    channel.request(
                      { behaviour: BEHAVIOURS[step.behaviour]! },
                      step.timeoutMs === undefined ? {} : { timeoutMs: step.timeoutMs },
                    ),
                  );
                  break;
                case 'advance':
                  await vi.advanceTimersByTimeAsync(step.ms);
                  break;
                case 'stop':
                  void group.stop({ timeoutMs: step.timeoutMs });
                  break;
                case 'start':
                  if (group.status().state.kind !== 'running') group.start();
                  break;
                case 'resize':
                  group.resize(step.size);
                  break;
                case 'close':
                  void channel.close({ timeoutMs: step.timeoutMs });
                  break;
              }
              await vi.advanceTimersByTimeAsync(0);
              expectBalanced(channel as Channel<unknown, unknown>);
            }

            const closing = channel.close({ timeoutMs: 50 });
            await vi.advanceTimersByTimeAsync(100);
            await closing;
            const stopping = group.stop({ timeoutMs: 20 });
            await vi.advanceTimersByTimeAsync(50);
            await stopping;
            await vi.advanceTimersByTimeAsync(300);

            const s = channel.stats();
            expectBalanced(channel as Channel<unknown, unknown>);
            expect([s.buffered, s.inFlight, s.delayed, s.waitingSenders]).toEqual([0, 0, 0, 0]);
            expect(senders.every(Boolean)).toBe(true);
            expect(vi.getTimerCount()).toBe(0);
          },
        ),
        { numRuns: 200 },
      );
      vi.useRealTimers();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
