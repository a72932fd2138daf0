import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Channel } from './channel.js';
import { handleChannel } from './handle-channel.js';
import type { ChannelHandler } from './handle-channel.js';
import { expectBalanced, newRun, record } from './channel.spec-helper.js';
import { HandlerTimeoutError } from '../errors/handler-timeout-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { isStageError } from '../errors/stage-error.js';
import type { GroupEvent } from '../group/group-events.js';
import type { TaskFn } from '../group/task-context.js';
import { TaskGroup } from '../group/task-group.js';

/**
 * A group given the task itself runs it directly, with no promise per run; a group given a
 * wrapper of it runs it through its promise. Both must behave the same.
 */
const WAYS_TO_RUN: readonly [string, (task: TaskFn) => TaskFn][] = [
  ['given to its group as is', (task) => task],
  ['wrapped in a task of the caller', (task) => (ctx) => task(ctx)],
];

describe.each(WAYS_TO_RUN)('handleChannel, %s', (_way, wrap) => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function started<TMessage, TReply>(
    channel: Channel<TMessage, TReply>,
    handler: ChannelHandler<TMessage, TReply>,
    options: { size?: number; handlerTimeoutMs?: number } = {},
  ): Promise<{ group: TaskGroup; events: GroupEvent[] }> {
    const group = new TaskGroup({
      name: 'handlers',
      size: options.size ?? 1,
      backoff: { minMs: 10 },
      task: wrap(handleChannel(channel, handler, { handlerTimeoutMs: options.handlerTimeoutMs })),
    });
    const events: GroupEvent[] = [];
    group.on((event) => events.push(event));
    group.start();
    await vi.advanceTimersByTimeAsync(0);
    return { group, events };
  }

  it('replies to requests with what sync and async handlers return', async () => {
    const adder = new Channel<{ a: number; b: number }, number>({ name: 'adder' });
    const { group } = await started(
      adder,
      async ({ a, b }) => (a > 10 ? a + b : Promise.resolve(a + b)),
      {
        size: 2,
      },
    );
    const syncAdder = new Channel<{ a: number; b: number }, number>({ name: 'sync-adder' });
    const { group: syncGroup } = await started(syncAdder, ({ a, b }) => a + b);

    const replies = await Promise.all([1, 20, 3].map((a) => adder.request({ a, b: 1 })));
    const syncReplies = await Promise.all([1, 2].map((a) => syncAdder.request({ a, b: 2 })));

    expect(replies).toEqual([2, 21, 4]);
    expect(syncReplies).toEqual([3, 4]);
    await group.stop();
    await syncGroup.stop();
  });

  it('redelivers a message whose handler threw, with a delivery count of 2, while the task keeps consuming', async () => {
    const channel = new Channel<string>({ name: 'jobs', redelivery: { minMs: 100, jitter: 0 } });
    const seen: string[] = [];
    const { group, events } = await started(channel, (body, delivery) => {
      seen.push(`${body}#${delivery.deliveryCount}`);
      if (body === 'flaky' && delivery.deliveryCount === 1) throw new Error('first time');
    });

    await channel.send('flaky');
    await channel.send('steady');
    await vi.advanceTimersByTimeAsync(50);
    expect(seen).toEqual(['flaky#1', 'steady#1']);
    await vi.advanceTimersByTimeAsync(50);

    expect(seen).toEqual(['flaky#1', 'steady#1', 'flaky#2']);
    expect(events.filter((event) => event.type === 'failed')).toEqual([]);
    expect(channel.stats()).toMatchObject({ handled: 2, redeliveries: 1 });
    await group.stop();
  });

  it('wraps a thrown non-Error value so the dead letter carries an Error', async () => {
    const channel = new Channel<string>({ name: 'jobs', maxDeliveries: 1 });
    const { group } = await started(channel, () => {
      throw 'a string';
    });

    await channel.send('x');
    await vi.advanceTimersByTimeAsync(0);

    const [letter] = channel.deadLetters();
    expect(isStageError(letter?.error, 'STAGE_THROWN_VALUE')).toBe(true);
    await group.stop();
  });

  it('fails only the delivery when the handler returns a thenable that throws', async () => {
    const channel = new Channel<string>({ name: 'jobs', maxDeliveries: 1 });
    const { group, events } = await started(channel, (body) =>
      body === 'bad'
        ? ({
            then() {
              throw new Error('broken thenable');
            },
          } as unknown as Promise<void>)
        : undefined,
    );

    await channel.send('bad');
    await channel.send('good');
    await vi.advanceTimersByTimeAsync(0);

    expect(channel.deadLetters()[0]?.error).toEqual(new Error('broken thenable'));
    expect(channel.stats()).toMatchObject({ handled: 1, deadLettered: 1 });
    expect(events.filter((event) => event.type === 'failed')).toEqual([]);
    await group.stop();
  });

  it('treats a handler past its timeout as hung: fails the delivery, replaces the task, ignores the late result', async () => {
    const channel = new Channel<string, string>({
      name: 'jobs',
      redelivery: { minMs: 1000, jitter: 0 },
    });
    const channelEvents = record(channel);
    const hung: { reject?: (error: Error) => void } = {};
    const { group, events } = await started(
      channel,
      (body, delivery) =>
        body === 'hang' && delivery.deliveryCount === 1
          ? new Promise<string>((_, reject) => (hung.reject = reject))
          : `done ${body}`,
      { handlerTimeoutMs: 100 },
    );
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    const reply = channel.request('hang');

    await vi.advanceTimersByTimeAsync(100);

    const failed = events.find((event) => event.type === 'failed');
    expect(failed?.type === 'failed' && failed.error).toBeInstanceOf(HandlerTimeoutError);
    expect(channelEvents.map((event) => event.type)).toEqual(['handler-abandoned', 'redelivered']);
    expect(channelEvents[0]).toMatchObject({ deliveryCount: 1, timeoutMs: 100 });
    expect(channelEvents[1]).toMatchObject({
      deliveryCount: 2,
      error: expect.any(HandlerTimeoutError),
    });
    expect(channel.stats()).toMatchObject({ delayed: 1, inFlight: 0 });

    hung.reject!(new Error('late'));
    await vi.advanceTimersByTimeAsync(1000);

    await expect(reply).resolves.toBe('done hang');
    expect(events.filter((event) => event.type === 'started')).toHaveLength(2);
    expect(channel.stats()).toMatchObject({ handled: 1, redeliveries: 1 });
    process.off('unhandledRejection', unhandled);
    expect(unhandled).not.toHaveBeenCalled();
    await group.stop();
    expectBalanced(channel);
  });

  it('puts back uncounted, once its stop abandons the task, a delivery whose handler hangs', async () => {
    const channel = new Channel<string>({ name: 'jobs' });
    const events = record(channel);
    const { group } = await started(channel, () => new Promise<void>(() => {}), {
      handlerTimeoutMs: 100,
    });
    await channel.send('stuck');
    await vi.advanceTimersByTimeAsync(10);

    const stopping = group.stop({ timeoutMs: 20 });
    await vi.advanceTimersByTimeAsync(20);
    expect((await stopping).abandoned).toHaveLength(1);
    expect(channel.stats()).toMatchObject({ inFlight: 0, buffered: 1, delayed: 0 });
    expect(vi.getTimerCount()).toBe(0); // the handler's deadline went with its delivery
    await vi.advanceTimersByTimeAsync(100);

    expect(events.map((event) => event.type)).not.toContain('handler-abandoned');
    expect(channel.stats()).toMatchObject({ inFlight: 0, buffered: 1, delayed: 0 });
    expect((await channel.receive(newRun()))?.deliveryCount).toBe(1);
  });

  it('disarms the handler deadline of a delivery settled by its handler, leaving no timer', async () => {
    const channel = new Channel<string, string>({ name: 'jobs' });
    const { group } = await started(
      channel,
      async (body) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return body.toUpperCase();
      },
      { handlerTimeoutMs: 60_000 },
    );
    const reply = channel.request('quick');
    await vi.advanceTimersByTimeAsync(5);

    await expect(reply).resolves.toBe('QUICK');
    expect(vi.getTimerCount()).toBe(0);
    await group.stop();
    expectBalanced(channel);
  });

  it('lets the handler in progress finish when its task is asked to stop', async () => {
    const channel = new Channel<string>({ name: 'jobs' });
    const { group } = await started(channel, async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    await channel.send('a');
    await channel.send('b');
    await vi.advanceTimersByTimeAsync(10);

    const stopping = group.stop({ timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(50);

    expect((await stopping).clean).toBe(true);
    expect(channel.stats()).toMatchObject({ handled: 1, buffered: 1, inFlight: 0 });
  });

  it('puts back uncounted a delivery whose handler throws after the stop was requested', async () => {
    const channel = new Channel<string>({ name: 'jobs' });
    const { group } = await started(channel, (_body, delivery) => {
      return new Promise<void>((_, reject) => {
        delivery.signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    });
    await channel.send('a');
    await vi.advanceTimersByTimeAsync(0);

    await group.stop();

    expect(channel.stats()).toMatchObject({ buffered: 1, inFlight: 0, redeliveries: 1 });
    const { group: next } = await started(channel, (_body, delivery) => {
      expect(delivery.deliveryCount).toBe(1);
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.stats().handled).toBe(1);
    await next.stop();
  });

  it('wakes idle tasks at once when their group stops', async () => {
    const channel = new Channel<string>({ name: 'jobs' });
    const { group } = await started(channel, () => undefined, { size: 3 });
    expect(channel.stats().waitingConsumers).toBe(3);

    const report = await group.stop();

    expect(report).toMatchObject({ clean: true, settled: 3 });
    expect(channel.stats().waitingConsumers).toBe(0);
  });

  it('completes its tasks once the channel has closed and drained', async () => {
    const channel = new Channel<string>({ name: 'jobs' });
    const { group, events } = await started(channel, () => undefined, { size: 2 });
    await channel.send('last');

    await channel.close();
    await vi.advanceTimersByTimeAsync(0);

    expect(events.filter((event) => event.type === 'completed')).toHaveLength(2);
    expect(channel.stats().handled).toBe(1);
    await group.stop();
  });

  it('rejects a handler that is not a function, naming the channel', () => {
    const channel = new Channel<string>({ name: 'jobs' });

    expect(() => handleChannel(channel, 'nope' as unknown as ChannelHandler<string, void>)).toThrow(
      /Invalid option "handler" for channel "jobs" handler/,
    );
  });

  it.each([0, -1, Number.NaN, Infinity, '10'])('rejects a handlerTimeoutMs of %j', (bad) => {
    const channel = new Channel<string>({ name: 'jobs' });

    expect(() =>
      handleChannel(channel, () => undefined, { handlerTimeoutMs: bad as number }),
    ).toThrow(InvalidOptionError);
  });
});
