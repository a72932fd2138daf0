import { getEventListeners, setMaxListeners } from 'node:events';
import { performance as processClock } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Channel } from './channel.js';
import type { ChannelEvent } from './channel-events.js';
import type { OverflowMode } from './channel-options.js';
import { DELIVERIES_PER_CLOCK_CHECK, TURN_BUDGET_MS } from './turn-budget.js';
import { handleChannel } from './handle-channel.js';
import { expectBalanced, newRun, outcome, record, type Outcome } from './channel.spec-helper.js';
import { ChannelClosedError } from '../errors/channel-closed-error.js';
import { ChannelFullError } from '../errors/channel-full-error.js';
import { ClosedBeforeDeliveryError } from '../errors/closed-before-delivery-error.js';
import { DeadLetteredError } from '../errors/dead-lettered-error.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';
import { ThrownValueError } from '../errors/thrown-value-error.js';
import { MAX_TIMER_MS } from '../backoff/backoff.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { RequestOptions, SendOptions } from './channel-call-options.js';
import type { ChannelCloseReport } from './channel-close-report.js';
import type { TaskContext } from '../group/task-context.js';
import { TaskGroup } from '../group/task-group.js';

/** A deterministic source of numbers in [0, 1), for the randomized scenarios. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Collects unhandled rejections while `body` runs; real timers are restored at the end. */
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

function erased<TMessage, TReply>(channel: Channel<TMessage, TReply>): Channel<unknown, unknown> {
  return channel as Channel<unknown, unknown>;
}

/** A group of `size` handler-mode tasks over `channel`, started, with short restart waits. */
function handlers<TMessage, TReply>(
  channel: Channel<TMessage, TReply>,
  handler: (body: TMessage, delivery: { readonly deliveryCount: number }) => unknown,
  options: { readonly size?: number; readonly handlerTimeoutMs?: number } = {},
): TaskGroup {
  const group = new TaskGroup({
    name: 'handlers',
    size: options.size ?? 1,
    backoff: { minMs: 1, maxMs: 1 },
    intensity: false,
    task: handleChannel(
      channel,
      handler as (body: TMessage) => TReply | PromiseLike<TReply>,
      options.handlerTimeoutMs === undefined ? {} : { handlerTimeoutMs: options.handlerTimeoutMs },
    ),
  });
  group.start();
  return group;
}

describe('Channel (adversarial)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('the ledger under races', () => {
    it.each(['wait', 'reject', 'drop-oldest', 'drop-newest'] as OverflowMode[])(
      'balances at every step and answers every sender in handler mode with %s overflow',
      async (overflow) => {
        const unhandled = await unhandledDuring(async () => {
          for (let seed = 1; seed <= 8; seed++) {
            const random = seeded(seed);
            const channel = new Channel<number, number>({
              name: 'chaos',
              capacity: 1 + Math.floor(random() * 3),
              overflow,
              maxDeliveries: 1 + Math.floor(random() * 3),
              redelivery: { minMs: 1, maxMs: 20 },
            });
            const group = handlers(
              channel,
              (body) => {
                const roll = random();
                if (roll < 0.2) throw new Error('fails at once');
                if (roll < 0.3) return new Promise(() => {});
                if (roll < 0.6) {
                  return new Promise((resolve, reject) => {
                    const late = random() < 0.2;
                    setTimeout(() => (late ? reject(new Error('fails late')) : resolve(body)), 5);
                  });
                }
                return body;
              },
              { size: 1 + Math.floor(random() * 3), handlerTimeoutMs: 15 },
            );
            const shared = new AbortController();
            // Every pending sender listens to the shared signal: many at once pass Node's default of 10.
            setMaxListeners(0, shared.signal);
            const senders: Outcome<unknown>[] = [];
            let closing = false;
            for (let step = 0; step < 60; step++) {
              const roll = random();
              const signal = random() < 0.5 ? shared.signal : undefined;
              if (roll < 0.3) senders.push(outcome(channel.send(step, { signal })));
              else if (roll < 0.6) {
                const timeoutMs = random() < 0.5 ? Math.floor(random() * 40) : undefined;
                senders.push(outcome(channel.request(step, { timeoutMs, signal })));
              } else if (roll < 0.62) shared.abort(new Error('aborted'));
              else if (roll < 0.64 && !closing) {
                closing = true;
                void channel.close({ timeoutMs: Math.floor(random() * 30) });
              } else if (roll < 0.66 && !closing) channel.replayDeadLetters();
              else await vi.advanceTimersByTimeAsync(Math.floor(random() * 10));
              expectBalanced(erased(channel));
            }
            const closed = channel.close({ timeoutMs: 50 });
            await vi.advanceTimersByTimeAsync(100);
            await closed;
            const stopping = group.stop({ timeoutMs: 10 });
            await vi.advanceTimersByTimeAsync(50);
            await stopping;
            await vi.advanceTimersByTimeAsync(100);

            expectBalanced(erased(channel));
            const stats = channel.stats();
            expect(stats.buffered + stats.delayed).toBe(0);
            // Only a request in the hands of a handler that hangs for ever may still wait.
            expect(senders.filter((sender) => !sender.done).length).toBeLessThanOrEqual(
              stats.inFlight,
            );
          }
        });

        expect(unhandled).toEqual([]);
      },
    );

    it('balances at every step when loop-mode consumers break, return, throw, hang or hold several', async () => {
      const unhandled = await unhandledDuring(async () => {
        for (let seed = 1; seed <= 25; seed++) {
          const random = seeded(seed);
          const channel = new Channel<number, number>({
            name: 'chaos',
            capacity: 1 + Math.floor(random() * 3),
            maxDeliveries: 1 + Math.floor(random() * 3),
            redelivery: { minMs: 1, maxMs: 20 },
          });
          const task = async (ctx: TaskContext): Promise<void> => {
            if (random() < 0.5) {
              for await (const delivery of channel.consume(ctx)) {
                const roll = random();
                if (roll < 0.1) throw new Error('crashes holding it');
                if (roll < 0.2) break;
                if (roll < 0.3) return;
                if (roll < 0.4) delivery.fail(new Error('refused'));
                else if (roll < 0.6) delivery.ack(delivery.body);
                else if (roll < 0.65) await new Promise(() => {});
                await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 5)));
              }
              if (random() < 0.5) throw new Error('fails after the loop');
              return;
            }
            const held = [];
            for (let index = 0; index < 3; index++) {
              const delivery = await channel.receive(ctx);
              if (delivery === undefined) return;
              held.push(delivery);
            }
            if (random() < 0.3) throw new Error('crashes holding three');
            for (const delivery of held) {
              if (random() < 0.5) delivery.ack(delivery.body);
              else delivery.fail('refused');
            }
          };
          const group = new TaskGroup({
            name: 'consumers',
            size: 1 + Math.floor(random() * 3),
            restart: 'always',
            backoff: { minMs: 1, maxMs: 5 },
            intensity: false,
            shutdownTimeoutMs: 20,
            task,
          });
          group.start();
          const shared = new AbortController();
          // Every pending sender listens to the shared signal: many at once pass Node's default of 10.
          setMaxListeners(0, shared.signal);
          const senders: Outcome<unknown>[] = [];
          let closing = false;
          for (let step = 0; step < 60; step++) {
            const roll = random();
            const signal = random() < 0.5 ? shared.signal : undefined;
            if (roll < 0.3) senders.push(outcome(channel.send(step, { signal })));
            else if (roll < 0.6) {
              const timeoutMs = random() < 0.5 ? Math.floor(random() * 40) : undefined;
              senders.push(outcome(channel.request(step, { timeoutMs, signal })));
            } else if (roll < 0.62) shared.abort(new Error('aborted'));
            else if (roll < 0.64 && !closing) {
              closing = true;
              void channel.close({ timeoutMs: Math.floor(random() * 30) });
            } else if (roll < 0.66 && !closing) channel.replayDeadLetters();
            else if (roll < 0.68) void group.stop({ timeoutMs: 5 }).then(() => group.start());
            else await vi.advanceTimersByTimeAsync(Math.floor(random() * 10));
            expectBalanced(erased(channel));
          }
          const closed = channel.close({ timeoutMs: 50 });
          await vi.advanceTimersByTimeAsync(100);
          await closed;
          const stopping = group.stop({ timeoutMs: 10 });
          await vi.advanceTimersByTimeAsync(50);
          await stopping;
          await vi.advanceTimersByTimeAsync(100);

          expectBalanced(erased(channel));
          const stats = channel.stats();
          expect(stats.buffered + stats.delayed).toBe(0);
          expect(senders.filter((sender) => !sender.done).length).toBeLessThanOrEqual(
            stats.inFlight,
          );
        }
      });

      expect(unhandled).toEqual([]);
    });

    it('rejects waiting senders, finishes the delivery in hand and drains a pending redelivery on close', async () => {
      const channel = new Channel<string, string>({
        name: 'jobs',
        capacity: 1,
        redelivery: { minMs: 30, maxMs: 30, jitter: 0 },
      });
      const seen: string[] = [];
      const group = handlers(channel, (body, delivery) => {
        seen.push(`${body}#${delivery.deliveryCount}`);
        if (body === 'flaky' && delivery.deliveryCount === 1) throw new Error('first time');
        if (body === 'slow') return new Promise((resolve) => setTimeout(resolve, 20, 'slow done'));
        return `${body} done`;
      });
      await vi.advanceTimersByTimeAsync(0);
      await channel.send('flaky');
      await vi.advanceTimersByTimeAsync(0);
      const slow = outcome(channel.request('slow'));
      await vi.advanceTimersByTimeAsync(0);
      await channel.send('filler');
      const waiting = outcome(channel.send('waiting'));
      expect(channel.stats()).toMatchObject({ delayed: 1, inFlight: 1, buffered: 1 });

      const closed = channel.close({ timeoutMs: 1_000 });
      await vi.advanceTimersByTimeAsync(0);
      expect(waiting.error).toBeInstanceOf(ChannelClosedError);
      await vi.advanceTimersByTimeAsync(100);
      const report = await closed;

      expect(slow.value).toBe('slow done');
      expect(seen).toEqual(['flaky#1', 'slow#1', 'filler#1', 'flaky#2']);
      expect(report).toMatchObject({ drained: true, deadLettered: 0, returned: 0, inFlight: 0 });
      expect(channel.stats()).toMatchObject({ accepted: 3, handled: 3, waitingSenders: 0 });
      expectBalanced(erased(channel));
      await group.stop();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('dead-letters at the deadline a redelivery no consumer is left to take, and clears its timer', async () => {
      const channel = new Channel<string>({
        name: 'jobs',
        redelivery: { minMs: 60_000, maxMs: 60_000, jitter: 0 },
      });
      const run = newRun();
      await channel.send('flaky');
      const delivery = await channel.receive(run);
      delivery!.fail(new Error('first time'));
      run.settle({ kind: 'stopped' });

      const closed = channel.close({ timeoutMs: 100 });
      await vi.advanceTimersByTimeAsync(100);
      const report = await closed;

      expect(report).toMatchObject({ drained: false, deadLettered: 1 });
      const letter = channel.deadLetters()[0];
      expect(letter?.error).toBeInstanceOf(ClosedBeforeDeliveryError);
      expect(letter?.error.cause).toBeInstanceOf(Error);
      expect(vi.getTimerCount()).toBe(0);
      expectBalanced(erased(channel));
    });
  });

  describe('signals', () => {
    it('rejects a request whose signal fired before the call, accepting nothing and listening to nothing', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });
      const controller = new AbortController();
      const reason = new Error('gone before');
      controller.abort(reason);

      await expect(channel.request('a', { signal: controller.signal })).rejects.toBe(reason);
      await expect(
        channel.request('b', { signal: controller.signal, timeoutMs: 100 }),
      ).rejects.toBe(reason);

      expect(channel.stats().accepted).toBe(0);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('leaves the listener count of a shared signal unchanged across 1,000 sends that waited for room', async () => {
      const channel = new Channel<number>({ name: 'jobs', capacity: 1 });
      const controller = new AbortController();
      const run = newRun();
      channel.markStarted();
      await channel.send(-1);

      for (let index = 0; index < 1_000; index++) {
        const sent = channel.send(index, { signal: controller.signal });
        (await channel.receive(run))!.ack();
        await sent;
      }

      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(channel.stats()).toMatchObject({ accepted: 1_001, handled: 1_000, buffered: 1 });
    });
  });

  describe('requests', () => {
    it('answers a request exactly once when its timeout fires in the same tick as the reply', async () => {
      const channel = new Channel<number, number>({ name: 'adder' });
      const events = record(erased(channel));
      const armedEarly: { tick?: Promise<void> } = {};
      const group = handlers(channel, async (body) => {
        // The handler's timer, armed after the request's timeout unless armed before the request.
        await (armedEarly.tick ?? new Promise((resolve) => setTimeout(resolve, 100)));
        return body + 1;
      });
      await vi.advanceTimersByTimeAsync(0);

      const timedOut = outcome(channel.request(1, { timeoutMs: 100 }));
      await vi.advanceTimersByTimeAsync(100);
      armedEarly.tick = new Promise((resolve) => setTimeout(resolve, 100));
      const replied = outcome(channel.request(2, { timeoutMs: 100 }));
      await vi.advanceTimersByTimeAsync(100);

      expect(timedOut.error).toBeInstanceOf(RequestTimeoutError);
      expect(replied.value).toBe(3);
      expect(events.filter((event) => event.type === 'late-reply-ignored')).toHaveLength(1);
      expect(channel.stats()).toMatchObject({ accepted: 2, handled: 2, withdrawn: 0 });
      expectBalanced(erased(channel));
      await group.stop();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('replies with the fresh handler when a hung one was replaced, ignoring the late reply', async () => {
      const channel = new Channel<string, string>({
        name: 'jobs',
        redelivery: { minMs: 10, maxMs: 10, jitter: 0 },
      });
      const events = record(erased(channel));
      const group = handlers(
        channel,
        (_, delivery) =>
          delivery.deliveryCount === 1
            ? new Promise((resolve) => setTimeout(resolve, 500, 'late'))
            : 'fresh',
        { handlerTimeoutMs: 50 },
      );
      await vi.advanceTimersByTimeAsync(0);

      const reply = outcome(channel.request('job'));
      await vi.advanceTimersByTimeAsync(1_000);

      expect(reply.value).toBe('fresh');
      expect(events.map((event) => event.type)).toEqual(['handler-abandoned', 'redelivered']);
      expect(channel.stats()).toMatchObject({ accepted: 1, handled: 1, inFlight: 0 });
      expectBalanced(erased(channel));
      await group.stop();
    });

    it.each([
      [
        'settles twice and throws after settling',
        (): PromiseLike<number> =>
          ({
            then(resolve: (value: number) => void, reject: (error: unknown) => void) {
              resolve(1);
              resolve(2);
              reject(new Error('too late'));
              throw new Error('after settling');
            },
          }) as unknown as PromiseLike<number>,
        { value: 1 },
      ],
      [
        'throws from then',
        (): PromiseLike<number> =>
          ({
            then() {
              throw new Error('then throws');
            },
          }) as unknown as PromiseLike<number>,
        { cause: 'then throws' },
      ],
      [
        'has a then getter that throws',
        (): PromiseLike<number> =>
          ({
            get then(): never {
              throw new Error('getter throws');
            },
          }) as unknown as PromiseLike<number>,
        { cause: 'getter throws' },
      ],
      [
        'has a then getter that throws on its second read',
        (): PromiseLike<number> => {
          let reads = 0;
          return {
            get then() {
              reads += 1;
              if (reads > 1) throw new Error('second read');
              return (resolve: (value: number) => void) => resolve(4);
            },
          } as unknown as PromiseLike<number>;
        },
        { cause: 'second read' },
      ],
    ])(
      'settles one delivery, once, for a handler that returns a thenable that %s',
      async (_, thenable, expected) => {
        const channel = new Channel<number, number>({ name: 'odd', maxDeliveries: 1 });
        const group = handlers(channel, () => thenable());
        await vi.advanceTimersByTimeAsync(0);

        const reply = outcome(channel.request(0));
        await vi.advanceTimersByTimeAsync(10);

        if ('value' in expected) expect(reply.value).toBe(expected.value);
        else {
          expect(reply.error).toBeInstanceOf(DeadLetteredError);
          expect((reply.error as Error).cause).toMatchObject({ message: expected.cause });
        }
        expect(group.status().failures).toBe(0);
        expect(channel.stats().inFlight).toBe(0);
        expectBalanced(erased(channel));
        await group.stop();
      },
    );

    it('carries undefined and null bodies and replies like any other value', async () => {
      const channel = new Channel<unknown, unknown>({ name: 'nothing', maxDeliveries: 1 });
      const group = handlers(channel, (body) => {
        if (body === null) throw null;
        return body;
      });
      await vi.advanceTimersByTimeAsync(0);

      const forUndefined = outcome(channel.request(undefined));
      const forNull = outcome(channel.request(null));
      await channel.send(undefined);
      await vi.advanceTimersByTimeAsync(10);

      expect(forUndefined).toEqual({ done: true, value: undefined });
      expect(forNull.error).toBeInstanceOf(DeadLetteredError);
      const [letter] = channel.deadLetters();
      expect(letter?.body).toBeNull();
      expect(letter?.error).toBeInstanceOf(ThrownValueError);
      expect(channel.replayDeadLetters()).toEqual([letter?.id]);
      await vi.advanceTimersByTimeAsync(10);
      expect(channel.stats()).toMatchObject({ accepted: 4, handled: 2, deadLettered: 2 });
      expectBalanced(channel);
      await group.stop();
    });
  });

  describe('capacity 1', () => {
    it.each([
      ['reject', ChannelFullError, { accepted: 1, dropped: 0 }],
      ['drop-newest', ChannelFullError, { accepted: 2, dropped: 1 }],
    ] as const)(
      'refuses a request to a full channel in %s mode with a typed error, never leaving it hanging',
      async (overflow, error, counts) => {
        const channel = new Channel<string, string>({ name: 'one', capacity: 1, overflow });
        channel.markStarted();
        await channel.send('first');

        await expect(channel.request('second', { timeoutMs: 1_000 })).rejects.toBeInstanceOf(error);

        expect(channel.stats()).toMatchObject({ ...counts, buffered: 1 });
        expect(vi.getTimerCount()).toBe(0);
        expectBalanced(erased(channel));
      },
    );

    it('rejects the buffered request it drops in drop-oldest mode, clearing its timer', async () => {
      const channel = new Channel<string, string>({
        name: 'one',
        capacity: 1,
        overflow: 'drop-oldest',
      });
      channel.markStarted();
      const dropped = outcome(channel.request('first', { timeoutMs: 1_000 }));

      await channel.send('second');
      await vi.advanceTimersByTimeAsync(0);

      expect(dropped.error).toBeInstanceOf(ChannelFullError);
      expect(channel.stats()).toMatchObject({ accepted: 2, dropped: 1, buffered: 1 });
      expect(vi.getTimerCount()).toBe(0);
      expectBalanced(erased(channel));
    });

    it('lets one waiting sender in per message taken, in order, in wait mode', async () => {
      const channel = new Channel<number>({ name: 'one', capacity: 1 });
      const run = newRun();
      channel.markStarted();
      await channel.send(0);
      const waiting = [1, 2, 3].map((body) => outcome(channel.send(body)));

      const bodies: number[] = [];
      for (let index = 0; index < 4; index++) {
        const delivery = await channel.receive(run);
        bodies.push(delivery!.body);
        delivery!.ack();
        await vi.advanceTimersByTimeAsync(0);
      }

      expect(bodies).toEqual([0, 1, 2, 3]);
      expect(waiting.every((sender) => sender.done && sender.error === undefined)).toBe(true);
      expectBalanced(erased(channel));
    });
  });

  describe('deliveries', () => {
    it('dead-letters at once with maxDeliveries 1, but puts back uncounted a delivery cut by a stop', async () => {
      const channel = new Channel<string>({ name: 'once', maxDeliveries: 1 });
      await channel.send('job');
      const stopped = newRun();
      const first = await channel.receive(stopped);
      stopped.requestStop();
      stopped.settle({ kind: 'stopped' });

      const second = await channel.receive(newRun());
      second!.fail(new Error('refused'));

      expect([first!.deliveryCount, second!.deliveryCount]).toEqual([1, 1]);
      expect(channel.stats()).toMatchObject({ deadLettered: 1, redeliveries: 1 });
      expect(channel.deadLetters()[0]).toMatchObject({ deliveryCount: 1 });
    });

    it.each([
      ['completes', 'completed', { handled: 1, redeliveries: 0 }, 1],
      ['fails', 'failed', { handled: 1, redeliveries: 1 }, 2],
      ['is stopped', 'stopped', { handled: 1, redeliveries: 1 }, 1],
    ] as const)(
      'settles a message held after a break by how the task then %s',
      async (_, ending, counts, nextCount) => {
        const channel = new Channel<string>({
          name: 'jobs',
          redelivery: { minMs: 1, maxMs: 1, jitter: 0 },
        });
        const counts_: number[] = [];
        let runs = 0;
        const group = new TaskGroup({
          name: 'consumers',
          restart: 'always',
          backoff: { minMs: 1, maxMs: 1 },
          intensity: false,
          task: async (ctx) => {
            runs += 1;
            for await (const delivery of channel.consume(ctx)) {
              counts_.push(delivery.deliveryCount);
              if (runs > 1) continue;
              break;
            }
            if (runs > 1) return;
            if (ending === 'failed') throw new Error('fails after the break');
            if (ending === 'stopped') {
              await new Promise<void>((resolve) =>
                ctx.signal.addEventListener('abort', () => resolve()),
              );
            }
          },
        });
        group.start();
        await channel.send('job');
        await vi.advanceTimersByTimeAsync(5);
        if (ending === 'stopped') {
          await group.stop();
          group.start();
        }
        await vi.advanceTimersByTimeAsync(10);

        expect(counts_).toEqual([1, nextCount].slice(0, ending === 'completed' ? 1 : 2));
        expect(channel.stats()).toMatchObject({ ...counts, inFlight: 0, buffered: 0 });
        expectBalanced(erased(channel));
        await group.stop();
      },
    );

    it('keeps a message in flight while its consumer never asks for the next one, until its run ends', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const iterator = channel.consume(newRun(0))[Symbol.asyncIterator]();
      const stalled = newRun(1);
      const stalledIterator = channel.consume(stalled)[Symbol.asyncIterator]();
      await channel.send('a');
      await channel.send('b');

      const held = await stalledIterator.next();
      const other = await iterator.next();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(channel.stats()).toMatchObject({ inFlight: 2 });
      stalled.requestStop();
      stalled.settle({ kind: 'stopped' });
      const again = await iterator.next();

      expect([held.value?.body, other.value?.body, again.value?.body]).toEqual(['a', 'b', 'a']);
      expect(again.value?.deliveryCount).toBe(1);
      expect(channel.stats()).toMatchObject({ handled: 1, inFlight: 1, redeliveries: 1 });
    });
  });

  describe('dead letters during close', () => {
    it('refuses a replay from a closing listener, reporting it, and keeps what close set aside', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const events: ChannelEvent[] = record(erased(channel));
      channel.on((event) => {
        if (event.type === 'closing' || event.type === 'dead-lettered') channel.replayDeadLetters();
      });
      await channel.send('left over');

      const report = await channel.close();

      expect(report).toMatchObject({ deadLettered: 1 });
      const failures = events.filter((event) => event.type === 'hook-failed');
      expect(failures).toHaveLength(2);
      expect(failures.every((event) => event.error instanceof ChannelClosedError)).toBe(true);
      expect(() => channel.replayDeadLetters()).toThrow(ChannelClosedError);
      expect(channel.deadLetters().map((letter) => letter.body)).toEqual(['left over']);
      expect(channel.stats()).toMatchObject({ accepted: 1, deadLettered: 1, replayed: 0 });
    });

    it('drains a replay made before close like any other message', async () => {
      const channel = new Channel<string>({ name: 'jobs', maxDeliveries: 1 });
      const group = handlers(channel, (body) => {
        if (body === 'poison') throw new Error('poison');
      });
      await vi.advanceTimersByTimeAsync(0);
      await channel.send('poison');
      await vi.advanceTimersByTimeAsync(0);

      channel.replayDeadLetters();
      const report = await channel.close({ timeoutMs: 100 });

      expect(report).toMatchObject({ drained: true });
      expect(channel.stats()).toMatchObject({ accepted: 2, deadLettered: 2, replayed: 1 });
      expectBalanced(erased(channel));
      await group.stop();
    });
  });

  describe('timeouts past the longest Node timer', () => {
    it('rejects a request timeout above 2^31 - 1 ms with InvalidOptionError, accepting nothing', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });

      const request = channel.request('a', { timeoutMs: 3e9 });

      await expect(request).rejects.toThrow(InvalidOptionError);
      await expect(request).rejects.toThrow('"timeoutMs"');
      expect(channel.stats().accepted).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('keeps a request timeout of exactly 2^31 - 1 ms armed until it is due', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });

      const reply = outcome(channel.request('a', { timeoutMs: MAX_TIMER_MS }));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(reply.done).toBe(false);
      await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);

      expect(reply.error).toBeInstanceOf(RequestTimeoutError);
    });

    it('refuses a handlerTimeoutMs above 2^31 - 1 ms, which would abandon every async handler', () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const handle = async (): Promise<void> => {};

      expect(() => handleChannel(channel, handle, { handlerTimeoutMs: 3e9 })).toThrow(
        InvalidOptionError,
      );
      expect(() => handleChannel(channel, handle, { handlerTimeoutMs: 3e9 })).toThrow(
        '"handlerTimeoutMs"',
      );
      expect(() =>
        handleChannel(channel, handle, { handlerTimeoutMs: MAX_TIMER_MS }),
      ).not.toThrow();
    });

    it('refuses a drainTimeoutMs above 2^31 - 1 ms at construction', () => {
      expect(() => new Channel({ name: 'jobs', drainTimeoutMs: 3e9 })).toThrow(InvalidOptionError);
      expect(() => new Channel({ name: 'jobs', drainTimeoutMs: 3e9 })).toThrow('"drainTimeoutMs"');
      expect(new Channel({ name: 'jobs', drainTimeoutMs: MAX_TIMER_MS }).name).toBe('jobs');
    });

    it('rejects a close timeout above 2^31 - 1 ms and leaves the channel open and draining nothing', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      channel.markStarted();
      await channel.send('a');

      await expect(channel.close({ timeoutMs: 3e9 })).rejects.toThrow(InvalidOptionError);

      expect(channel.state.kind).toBe('open');
      const closing = outcome(channel.close({ timeoutMs: MAX_TIMER_MS }));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(closing.done).toBe(false);
      const delivery = await channel.receive(newRun());
      expect(delivery?.body).toBe('a');
      delivery?.ack();
      await vi.advanceTimersByTimeAsync(0);
      expect(closing.value).toMatchObject({ drained: true });
    });
  });

  describe('abort listeners on shared signals', () => {
    /** Collects process warnings while `body` runs (they are emitted on the next tick). */
    async function warningsDuring(body: () => Promise<void>): Promise<string[]> {
      const warnings: string[] = [];
      const onWarning = (warning: Error): void => {
        warnings.push(warning.name);
      };
      process.on('warning', onWarning);
      try {
        await body();
        await new Promise((resolve) => process.nextTick(resolve));
      } finally {
        process.off('warning', onWarning);
      }
      return warnings;
    }

    it('listens to the signal of a context made outside a group only while a consumer waits', async () => {
      const channel = new Channel<number>({ name: 'jobs' });
      const app = new AbortController();
      const context = (): TaskContext => ({ signal: app.signal, index: 0, attempt: 1, group: 'x' });

      const warnings = await warningsDuring(async () => {
        for (let index = 0; index < 50; index++) {
          await channel.send(index);
          (await channel.receive(context()))!.ack();
        }
      });
      expect(getEventListeners(app.signal, 'abort')).toHaveLength(0);
      const waiting = channel.receive(context());
      expect(getEventListeners(app.signal, 'abort')).toHaveLength(1);
      await channel.send(50);

      expect((await waiting)?.body).toBe(50);
      expect(getEventListeners(app.signal, 'abort')).toHaveLength(0);
      expect(warnings).toEqual([]);
    });

    it('wakes every consumer waiting on one outside signal through a single listener', async () => {
      const channel = new Channel<number>({ name: 'jobs' });
      const app = new AbortController();
      const context = (): TaskContext => ({ signal: app.signal, index: 0, attempt: 1, group: 'x' });

      const warnings = await warningsDuring(async () => {
        const waits = Array.from({ length: 50 }, () => outcome(channel.receive(context())));
        expect(getEventListeners(app.signal, 'abort')).toHaveLength(1);
        app.abort(new Error('shutting down'));
        await vi.advanceTimersByTimeAsync(0);

        expect(waits.every((wait) => wait.done && wait.value === undefined)).toBe(true);
      });

      expect(getEventListeners(app.signal, 'abort')).toHaveLength(0);
      expect(channel.stats().waitingConsumers).toBe(0);
      await channel.send(1);
      expect(await channel.receive(context())).toBeUndefined();
      expect(channel.stats()).toMatchObject({ buffered: 1, inFlight: 0 });
      expect(warnings).toEqual([]);
    });

    it('takes nothing for a context whose signal fired while it was not waiting', async () => {
      const channel = new Channel<number>({ name: 'jobs' });
      const app = new AbortController();
      const ctx: TaskContext = { signal: app.signal, index: 0, attempt: 1, group: 'x' };
      await channel.send(1);
      (await channel.receive(ctx))!.ack();

      app.abort();
      await channel.send(2);

      expect(await channel.receive(ctx)).toBeUndefined();
      const seen: number[] = [];
      for await (const delivery of channel.consume(ctx)) seen.push(delivery.body);
      expect(seen).toEqual([]);
      expect(channel.stats()).toMatchObject({ buffered: 1, inFlight: 0, handled: 1 });
    });

    it('listens once per channel to a signal shared by 100 concurrent requests, and not after they settle', async () => {
      const channel = new Channel<number, number>({ name: 'adder' });
      const controller = new AbortController();
      const reason = new Error('client gone');
      const run = newRun();

      const warnings = await warningsDuring(async () => {
        const replies = Array.from({ length: 100 }, (_, index) =>
          outcome(channel.request(index, { signal: controller.signal })),
        );
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
        for (let index = 0; index < 50; index++) {
          const delivery = (await channel.receive(run))!;
          delivery.ack(delivery.body * 2);
        }
        await vi.advanceTimersByTimeAsync(0);
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
        controller.abort(reason);
        await vi.advanceTimersByTimeAsync(0);

        expect(replies.slice(0, 50).map((reply) => reply.value)).toEqual(
          Array.from({ length: 50 }, (_, index) => index * 2),
        );
        expect(replies.slice(50).every((reply) => reply.error === reason)).toBe(true);
      });

      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(channel.stats()).toMatchObject({ handled: 50, withdrawn: 50, buffered: 0 });
      expect(warnings).toEqual([]);
      expectBalanced(erased(channel));
    });

    it('listens once per channel to a signal shared by 100 sends waiting for room, and gives every place back on abort', async () => {
      const channel = new Channel<number>({ name: 'jobs', capacity: 1 });
      const other = new Channel<number>({ name: 'other', capacity: 1 });
      const controller = new AbortController();
      const reason = new Error('cancelled');
      channel.markStarted();
      other.markStarted();
      await channel.send(-1);
      await other.send(-1);

      const warnings = await warningsDuring(async () => {
        const sends = Array.from({ length: 100 }, (_, index) =>
          outcome(channel.send(index, { signal: controller.signal })),
        );
        const otherSend = outcome(other.send(0, { signal: controller.signal }));
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(2);
        controller.abort(reason);
        await vi.advanceTimersByTimeAsync(0);

        expect(sends.every((send) => send.error === reason)).toBe(true);
        expect(otherSend.error).toBe(reason);
      });

      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(channel.stats()).toMatchObject({ accepted: 1, waitingSenders: 0 });
      expect(warnings).toEqual([]);
    });

    it('lets a sender that a fanned-out abort admitted keep its place, as a listener removed mid-dispatch would', async () => {
      const channel = new Channel<string, string>({ name: 'jobs', capacity: 1 });
      const controller = new AbortController();
      const reason = new Error('cancelled');
      channel.markStarted();

      const request = outcome(channel.request('request', { signal: controller.signal }));
      const sends = ['a', 'b'].map((body) =>
        outcome(channel.send(body, { signal: controller.signal })),
      );
      controller.abort(reason);
      await vi.advanceTimersByTimeAsync(0);

      // The buffered request was withdrawn first; its room let the first waiting send in at once.
      expect(request.error).toBe(reason);
      expect(sends.map((send) => send.error ?? 'accepted')).toEqual(['accepted', reason]);
      expect(channel.stats()).toMatchObject({ accepted: 2, withdrawn: 1, buffered: 1 });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expectBalanced(erased(channel));
    });
  });

  describe('fairness to the event loop', () => {
    /**
     * Makes each read of the process clock 1 ms later than the one before, as if every message
     * took long; install it before making the channel. (The channel reads the clock from
     * `node:perf_hooks`, which fake timers leave alone.)
     */
    function slowClock(): void {
      let now = 0;
      vi.spyOn(processClock, 'now').mockImplementation(() => ++now);
    }

    /** The most messages a channel hands out between two macrotask turns under `slowClock`. */
    const perTurnBound = DELIVERIES_PER_CLOCK_CHECK * TURN_BUDGET_MS;

    /** Calls counted at each of 20 consecutive macrotask turns, starting before `start`. */
    async function callsPerTurn(
      calls: () => number,
      start: () => Promise<void>,
    ): Promise<number[]> {
      const samples: number[] = [0];
      const sampled = new Promise<void>((resolve) => {
        const sample = (): void => {
          samples.push(calls());
          if (samples.length <= 20) setImmediate(sample);
          else resolve();
        };
        setImmediate(sample);
      });
      await start();
      await sampled;
      return samples.slice(1).map((count, turn) => count - samples[turn]!);
    }

    type Feeder = (channel: Channel<number>, count: () => void) => TaskGroup;

    const feeders: [string, Feeder][] = [
      [
        'a synchronous handler',
        (channel, count) =>
          handlers(channel, (body) => {
            count();
            channel.trySend(body + 1);
          }),
      ],
      [
        'an async handler that resolves at once',
        (channel, count) =>
          handlers(channel, async (body) => {
            count();
            channel.trySend(body + 1);
          }),
      ],
      [
        'a loop-mode consumer',
        (channel, count) => {
          const group = new TaskGroup({
            name: 'loop',
            task: async (ctx) => {
              for await (const delivery of channel.consume(ctx)) {
                count();
                channel.trySend(delivery.body + 1);
              }
            },
          });
          group.start();
          return group;
        },
      ],
      [
        'a consumer that receives one message at a time',
        (channel, count) => {
          const group = new TaskGroup({
            name: 'receiver',
            task: async (ctx) => {
              for (let delivery = await channel.receive(ctx); delivery !== undefined;) {
                count();
                channel.trySend(delivery.body + 1);
                delivery.ack();
                delivery = await channel.receive(ctx);
              }
            },
          });
          group.start();
          return group;
        },
      ],
    ];

    it.each(feeders)(
      'lets other macrotasks in once its turn budget is spent, with %s feeding its own channel',
      async (_, feed) => {
        vi.useRealTimers();
        slowClock();
        const channel = new Channel<number>({ name: 'loop' });
        let calls = 0;
        let group: TaskGroup | undefined;

        const perTurn = await callsPerTurn(
          () => calls,
          async () => {
            group = feed(channel, () => {
              if (++calls >= 20_000) void channel.close({ timeoutMs: 0 });
            });
            await channel.send(0);
          },
        );
        const atStop = calls;
        const report = await group!.stop();

        expect(Math.max(...perTurn)).toBeLessThanOrEqual(perTurnBound);
        expect(perTurn.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(perTurnBound * 10);
        expect(report.clean).toBe(true);
        expect(calls - atStop).toBeLessThanOrEqual(perTurnBound);
        expectBalanced(erased(channel));
      },
    );

    it('lets a stop in while a synchronous handler feeds its own channel', async () => {
      vi.useRealTimers();
      slowClock();
      const channel = new Channel<number>({ name: 'loop' });
      let calls = 0;
      const group = handlers(channel, (body: number) => {
        calls++;
        if (calls < 20_000) channel.trySend(body + 1);
      });
      await channel.send(0);

      await new Promise((resolve) => setImmediate(resolve));
      const report = await group.stop();

      expect(report.clean).toBe(true);
      expect(calls).toBeLessThan(20_000);
      expect(channel.stats().buffered).toBe(1);
    });
  });

  describe('events from a consistent state', () => {
    it('accepts the new message before reporting the drop, so a close from the dropped listener drains it', async () => {
      const channel = new Channel<string>({ name: 'jobs', capacity: 1, overflow: 'drop-oldest' });
      channel.markStarted();
      await channel.send('old');
      const seen: { buffered: number; accepted: number }[] = [];
      let closing: Promise<ChannelCloseReport> | undefined;
      channel.on((event) => {
        if (event.type !== 'dropped') return;
        const { buffered, accepted } = channel.stats();
        seen.push({ buffered, accepted });
        expectBalanced(erased(channel));
        closing = channel.close({ timeoutMs: 100 });
      });

      await channel.send('new');
      expect(channel.state.kind).toBe('closing');
      await vi.advanceTimersByTimeAsync(100);
      const report = await closing!;

      expect(seen).toEqual([{ buffered: 1, accepted: 2 }]);
      expect(report).toMatchObject({ drained: false, deadLettered: 1 });
      expect(channel.deadLetters().map((letter) => letter.body)).toEqual(['new']);
      expect(channel.stats()).toMatchObject({ buffered: 0, dropped: 1, deadLettered: 1 });
      expectBalanced(erased(channel));
    });

    it('reports a throwing redelivery random source only once the failed message is back in place', async () => {
      const channel = new Channel<string>({
        name: 'jobs',
        redelivery: {
          minMs: 10,
          maxMs: 1_000,
          random: () => {
            throw new Error('no entropy');
          },
        },
      });
      const balanced: boolean[] = [];
      channel.on((event) => {
        if (event.type !== 'hook-failed') return;
        const s = channel.stats();
        const ended = s.handled + s.deadLettered + s.dropped + s.withdrawn;
        balanced.push(s.accepted === ended + s.buffered + s.inFlight + s.delayed);
        void channel.close({ timeoutMs: 100 });
      });
      await channel.send('a');

      (await channel.receive(newRun()))!.fail(new Error('boom'));
      await vi.advanceTimersByTimeAsync(100);

      expect(balanced).toEqual([true]);
      expect(channel.state.kind).toBe('closed');
      expect(channel.stats()).toMatchObject({ delayed: 0, buffered: 0, deadLettered: 1 });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('accepts nothing into a channel closed by a dropped listener in drop-newest mode', async () => {
      const channel = new Channel<string>({ name: 'jobs', capacity: 1, overflow: 'drop-newest' });
      channel.markStarted();
      await channel.send('old');
      channel.on((event) => {
        if (event.type === 'dropped') void channel.close({ timeoutMs: 100 });
      });

      expect(channel.trySend('new')).toBe(true);
      expect(() => channel.trySend('after')).toThrow(ChannelClosedError);
      await vi.advanceTimersByTimeAsync(100);

      expect(channel.stats()).toMatchObject({ accepted: 2, dropped: 1, deadLettered: 1 });
      expect(channel.stats().buffered).toBe(0);
      expectBalanced(erased(channel));
    });
  });

  describe('call options', () => {
    const notSignals: [string, unknown][] = [
      ['an object', {}],
      ['null', null],
      ['a string', 'abort'],
      ['an object with an aborted flag only', { aborted: false }],
    ];

    it.each(notSignals)(
      'rejects a send on a full channel whose signal is %s, naming signal and accepting nothing',
      async (_, signal) => {
        const channel = new Channel<string>({ name: 'jobs', capacity: 1 });
        channel.markStarted();
        await channel.send('first');

        let sent: Promise<unknown> | undefined;
        expect(() => {
          sent = channel.send('second', { signal } as unknown as SendOptions);
        }).not.toThrow();

        await expect(sent).rejects.toThrow(InvalidOptionError);
        await expect(sent).rejects.toThrow('"signal"');
        expect(channel.stats()).toMatchObject({ accepted: 1, waitingSenders: 0 });
        expect((await channel.receive(newRun()))?.body).toBe('first');
        expect(channel.stats()).toMatchObject({ accepted: 1, buffered: 0, inFlight: 1 });
      },
    );

    it.each(notSignals)(
      'rejects a send or a request with room to spare whose signal is %s, accepting nothing',
      async (_, signal) => {
        const channel = new Channel<string, string>({ name: 'jobs' });

        await expect(channel.send('a', { signal } as unknown as SendOptions)).rejects.toThrow(
          InvalidOptionError,
        );
        await expect(
          channel.request('b', { signal, timeoutMs: 100 } as unknown as RequestOptions),
        ).rejects.toThrow('"signal"');

        expect(channel.stats().accepted).toBe(0);
        expect(vi.getTimerCount()).toBe(0);
      },
    );

    it('rejects call options that are not an object, naming options', async () => {
      const channel = new Channel<string, string>({ name: 'jobs' });

      await expect(channel.send('a', 42 as unknown as SendOptions)).rejects.toThrow('"options"');
      await expect(channel.request('b', 'fast' as unknown as RequestOptions)).rejects.toThrow(
        InvalidOptionError,
      );
      await expect(channel.close(7 as unknown as { timeoutMs: number })).rejects.toThrow(
        '"options"',
      );

      expect(channel.stats().accepted).toBe(0);
      expect(channel.state.kind).toBe('not-started');
    });

    it('accepts null as no options, like undefined', async () => {
      const channel = new Channel<string>({ name: 'jobs' });

      await expect(channel.send('a', null as unknown as SendOptions)).resolves.toBeTypeOf('string');

      expect(channel.stats().accepted).toBe(1);
    });

    it('refuses replay ids that are not an array of ids, replaying nothing', async () => {
      const channel = new Channel<string>({ name: 'jobs', maxDeliveries: 1 });
      const group = new TaskGroup({
        name: 'failing',
        task: handleChannel(channel, () => {
          throw new Error('no');
        }),
      });
      group.start();
      await channel.send('doomed');
      await vi.advanceTimersByTimeAsync(10);
      const [letter] = channel.deadLetters();
      expect(letter).toBeDefined();

      // A single id given as a string would otherwise be read as its characters.
      expect(() => channel.replayDeadLetters(letter!.id as unknown as string[])).toThrow(
        InvalidOptionError,
      );
      expect(() => channel.replayDeadLetters([1] as unknown as string[])).toThrow('"ids"');
      expect(channel.stats()).toMatchObject({ replayed: 0, deadLetters: 1 });
      await group.stop();
    });
  });

  describe('runs that already ended', () => {
    it.each([
      ['completed', { kind: 'completed' }],
      ['failed', { kind: 'failed', error: new Error('down') }],
      ['stopped', { kind: 'stopped' }],
    ] as const)(
      'ends a receive or a consume with the context of a run that %s, taking nothing',
      async (_, ended) => {
        const channel = new Channel<string>({ name: 'jobs' });
        await channel.send('a');
        const run = newRun();
        run.settle(ended);

        expect(await channel.receive(run)).toBeUndefined();
        const seen: string[] = [];
        for await (const delivery of channel.consume(run)) seen.push(delivery.body);
        await vi.advanceTimersByTimeAsync(0);

        expect(seen).toEqual([]);
        expect(channel.stats()).toMatchObject({ buffered: 1, inFlight: 0, handled: 0 });
      },
    );

    it('ends a handler-mode task given the context of a run that already ended', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const handler = vi.fn();
      await channel.send('a');
      const run = newRun();
      run.settle({ kind: 'completed' });

      await handleChannel(channel, handler)(run);

      expect(handler).not.toHaveBeenCalled();
      expect(channel.stats()).toMatchObject({ buffered: 1, inFlight: 0 });
    });
  });
});
