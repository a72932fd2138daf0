import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Channel } from './channel.js';
import type { OverflowMode } from './channel-options.js';
import type { Delivery } from './delivery.js';
import { expectBalanced, newRun } from './channel.spec-helper.js';

type Command =
  | { readonly kind: 'send'; readonly abortable: boolean }
  | { readonly kind: 'try-send' }
  | {
      readonly kind: 'request';
      readonly timeoutMs: number | undefined;
      readonly abortable: boolean;
    }
  | { readonly kind: 'abort'; readonly pick: number }
  | { readonly kind: 'receive'; readonly run: number }
  | { readonly kind: 'ack'; readonly pick: number }
  | { readonly kind: 'fail'; readonly pick: number }
  | {
      readonly kind: 'end-run';
      readonly run: number;
      readonly outcome: 'completed' | 'failed' | 'stopped';
    }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'close'; readonly timeoutMs: number }
  | { readonly kind: 'replay' };

const RUNS = 3;

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('send' as const), abortable: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('try-send' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      timeoutMs: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined, freq: 3 }),
      abortable: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('receive' as const), run: fc.nat({ max: RUNS - 1 }) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ack' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('end-run' as const),
      run: fc.nat({ max: RUNS - 1 }),
      outcome: fc.constantFrom('completed' as const, 'failed' as const, 'stopped' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('close' as const),
      timeoutMs: fc.integer({ min: 0, max: 50 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const) }) },
);

/** Tracks a promise so that the property can check that it settled, and never rejects unobserved. */
function track(promise: Promise<unknown>, settled: boolean[]): void {
  const index = settled.push(false) - 1;
  promise.then(
    () => (settled[index] = true),
    () => (settled[index] = true),
  );
}

describe('Channel', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('ledger', () => {
    it('balances after every step of any interleaving, and every sender hears back', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 4 }),
          fc.constantFrom<OverflowMode>('wait', 'reject', 'drop-oldest', 'drop-newest'),
          fc.integer({ min: 1, max: 3 }),
          fc.array(command, { minLength: 1, maxLength: 60 }),
          async (capacity, overflow, maxDeliveries, commands) => {
            const channel = new Channel<number, number>({
              name: 'property',
              capacity,
              overflow,
              maxDeliveries,
              deadLetterCapacity: 2,
              redelivery: { minMs: 10, maxMs: 40 },
            });
            channel.markStarted();
            const runs = Array.from({ length: RUNS }, (_, index) => newRun(index));
            const held: Delivery<number, number>[] = [];
            const controllers: AbortController[] = [];
            const senders: boolean[] = [];
            let body = 0;

            const signalFor = (abortable: boolean): AbortSignal | undefined => {
              if (!abortable) return undefined;
              const controller = new AbortController();
              controllers.push(controller);
              return controller.signal;
            };
            const pickHeld = (pick: number): Delivery<number, number> | undefined => {
              const open = held.filter((delivery) => !delivery.settled);
              return open.length === 0 ? undefined : open[pick % open.length];
            };

            for (const step of commands) {
              switch (step.kind) {
                case 'send':
                  track(channel.send(body++, { signal: signalFor(step.abortable) }), senders);
                  break;
                case 'try-send':
                  if (channel.state.kind !== 'closing' && channel.state.kind !== 'closed') {
                    channel.trySend(body++);
                  }
                  break;
                case 'request':
                  track(
                    channel.request(body++, {
                      timeoutMs: step.timeoutMs,
                      signal: signalFor(step.abortable),
                    }),
                    senders,
                  );
                  break;
                case 'abort':
                  controllers[step.pick % Math.max(1, controllers.length)]?.abort(
                    new Error('abort'),
                  );
                  break;
                case 'receive':
                  void channel.receive(runs[step.run]!).then((delivery) => {
                    if (delivery !== undefined) held.push(delivery);
                  });
                  break;
                case 'ack': {
                  const delivery = pickHeld(step.pick);
                  delivery?.ack(delivery.body);
                  break;
                }
                case 'fail':
                  pickHeld(step.pick)?.fail(new Error('handler failed'));
                  break;
                case 'end-run': {
                  const run = runs[step.run]!;
                  run.requestStop();
                  run.settle(
                    step.outcome === 'failed'
                      ? { kind: 'failed', error: new Error('task failed') }
                      : { kind: step.outcome },
                  );
                  runs[step.run] = newRun(step.run);
                  break;
                }
                case 'advance':
                  await vi.advanceTimersByTimeAsync(step.ms);
                  break;
                case 'close':
                  void channel.close({ timeoutMs: step.timeoutMs });
                  break;
                case 'replay':
                  if (channel.state.kind === 'open') channel.replayDeadLetters();
                  break;
              }
              await vi.advanceTimersByTimeAsync(0);
              expectBalanced(channel);
            }

            const closing = channel.close({ timeoutMs: 100 });
            for (const run of runs) {
              run.requestStop();
              run.settle({ kind: 'completed' });
            }
            await vi.advanceTimersByTimeAsync(200);
            await closing;

            const s = channel.stats();
            expect([s.buffered, s.inFlight, s.delayed, s.waitingSenders]).toEqual([0, 0, 0, 0]);
            expectBalanced(channel);
            expect(senders.every(Boolean)).toBe(true);
            expect(vi.getTimerCount()).toBe(0);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('delivers first deliveries in send order to a single consumer, aborted senders aside', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 4 }),
          fc.array(
            fc.oneof(
              fc.constant('send'),
              fc.constant('abortable'),
              fc.constant('abort'),
              fc.constant('take'),
            ),
            {
              maxLength: 80,
            },
          ),
          async (capacity, steps) => {
            const channel = new Channel<number>({ name: 'order', capacity });
            channel.markStarted();
            const run = newRun(0);
            const received: number[] = [];
            const controllers: AbortController[] = [];
            let body = 0;
            for (const step of steps) {
              if (step === 'send') void channel.send(body++).catch(() => undefined);
              else if (step === 'abortable') {
                const controller = new AbortController();
                controllers.push(controller);
                void channel.send(body++, { signal: controller.signal }).catch(() => undefined);
              } else if (step === 'abort') controllers.shift()?.abort();
              else {
                void channel.receive(run).then((delivery) => {
                  if (delivery === undefined) return;
                  received.push(delivery.body);
                  delivery.ack();
                });
              }
              await vi.advanceTimersByTimeAsync(0);
            }

            expect(received).toEqual([...received].sort((a, b) => a - b));
            expect(new Set(received).size).toBe(received.length);
            run.requestStop();
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
