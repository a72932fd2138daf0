import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Channel } from './channel.js';
import type { ChannelEvent } from './channel-events.js';
import type { Delivery } from './delivery.js';
import { newRun, expectBalanced } from './channel.spec-helper.js';
import type { TaskContext, TaskOutcome } from '../group/task-context.js';
import { attachTaskRunHooks } from '../group/task-run-hooks.js';
import type { TaskRun } from '../group/task-run.js';

/** A run whose signal must never be read: reading it would create an AbortController. */
function runWithoutSignal(): TaskRun {
  const run = newRun();
  Object.defineProperty(run, 'signal', {
    get() {
      throw new Error('the signal was read');
    },
  });
  return run;
}

async function next<TMessage>(
  iterator: AsyncIterator<Delivery<TMessage, void>>,
): Promise<Delivery<TMessage, void> | undefined> {
  const result = await iterator.next();
  return result.done ? undefined : result.value;
}

describe('Channel', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('consume', () => {
    it('delivers first deliveries in send order, each with its id and a delivery count of 1', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const ids = [await channel.send('a'), await channel.send('b'), await channel.send('c')];
      const iterator = channel.consume(newRun())[Symbol.asyncIterator]();

      const deliveries = [await next(iterator), await next(iterator), await next(iterator)];

      expect(deliveries.map((delivery) => delivery?.body)).toEqual(['a', 'b', 'c']);
      expect(deliveries.map((delivery) => delivery?.id)).toEqual(ids);
      expect(deliveries.map((delivery) => delivery?.deliveryCount)).toEqual([1, 1, 1]);
    });

    it('settles the previous delivery as handled when the next one is taken', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      await channel.send('a');
      await channel.send('b');
      const iterator = channel.consume(newRun())[Symbol.asyncIterator]();

      const first = await next(iterator);
      expect(channel.stats()).toMatchObject({ inFlight: 1, handled: 0 });
      await next(iterator);

      expect(first?.settled).toBe(true);
      expect(channel.stats()).toMatchObject({ inFlight: 1, handled: 1, buffered: 0 });
      expectBalanced(channel);
    });

    it('hands a message sent later to a consumer already waiting', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const iterator = channel.consume(newRun())[Symbol.asyncIterator]();
      const waiting = next(iterator);
      expect(channel.stats().waitingConsumers).toBe(1);

      await channel.send('late');

      expect((await waiting)?.body).toBe('late');
      expect(channel.stats()).toMatchObject({ waitingConsumers: 0, inFlight: 1 });
    });

    it('redelivers a message held by a task that failed, with a delivery count of 2', async () => {
      const channel = new Channel<string>({ name: 'jobs', redelivery: { minMs: 100, jitter: 0 } });
      const events: ChannelEvent[] = [];
      channel.on((event) => events.push(event));
      const id = await channel.send('poison');
      const crashed = newRun();
      await next(channel.consume(crashed)[Symbol.asyncIterator]());

      crashed.settle({ kind: 'failed', error: new Error('crash') });

      expect(channel.stats()).toMatchObject({ inFlight: 0, delayed: 1, redeliveries: 1 });
      expect(events).toContainEqual({
        type: 'redelivered',
        channel: 'jobs',
        id,
        deliveryCount: 2,
        delayMs: 100,
        error: new Error('crash'),
      });
      await vi.advanceTimersByTimeAsync(100);
      const again = await next(channel.consume(newRun())[Symbol.asyncIterator]());
      expect(again).toMatchObject({ id, body: 'poison', deliveryCount: 2 });
      expectBalanced(channel);
    });

    it('settles the message held by a completed run as handled, even after a break', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      await channel.send('a');
      const run = newRun();
      for await (const delivery of channel.consume(run)) {
        expect(delivery.body).toBe('a');
        break;
      }
      expect(channel.stats().inFlight).toBe(1);

      run.settle({ kind: 'completed' });

      expect(channel.stats()).toMatchObject({ handled: 1, inFlight: 0 });
    });

    it('wakes a waiting consumer when its run is asked to stop, without creating an AbortController', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const run = runWithoutSignal();
      const iterator = channel.consume(run)[Symbol.asyncIterator]();
      const waiting = iterator.next();

      run.requestStop();

      await expect(waiting).resolves.toEqual({ done: true, value: undefined });
      expect(channel.stats().waitingConsumers).toBe(0);
      await channel.send('after');
      expect(channel.stats().buffered).toBe(1);
    });

    it('takes nothing for a run already asked to stop', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      await channel.send('a');
      const run = newRun();
      run.requestStop();

      await expect(channel.receive(run)).resolves.toBeUndefined();
      expect(channel.stats().buffered).toBe(1);
    });

    it('serves next() calls made while one waits, in order', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const iterator = channel.consume(newRun())[Symbol.asyncIterator]();
      const first = iterator.next();
      const second = iterator.next();

      await channel.send('a');
      await channel.send('b');

      expect((await first).value?.body).toBe('a');
      expect((await second).value?.body).toBe('b');
      expect(channel.stats()).toMatchObject({ handled: 1, inFlight: 1, waitingConsumers: 0 });
    });

    it('ends a waiting iteration on return() and yields nothing more', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const iterator = channel.consume(newRun())[Symbol.asyncIterator]();
      const waiting = iterator.next();

      await iterator.return!();

      await expect(waiting).resolves.toEqual({ done: true, value: undefined });
      await channel.send('a');
      await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
      expect(channel.stats().buffered).toBe(1);
    });

    it('keeps the handle of an earlier delivery settled once its message is redelivered', async () => {
      const channel = new Channel<string>({ name: 'jobs', redelivery: { minMs: 10, jitter: 0 } });
      await channel.send('flaky');
      const run = newRun();
      const first = (await channel.receive(run))!;
      first.fail(new Error('once'));
      await vi.advanceTimersByTimeAsync(10);

      const second = (await channel.receive(run))!;
      first.ack();
      first.fail(new Error('late'));

      expect(second).not.toBe(first);
      expect({ settled: first.settled, count: first.deliveryCount }).toEqual({
        settled: true,
        count: 1,
      });
      expect({ settled: second.settled, count: second.deliveryCount }).toEqual({
        settled: false,
        count: 2,
      });
      expect(channel.stats()).toMatchObject({ handled: 0, inFlight: 1, redeliveries: 1 });
      second.ack();
      expect(channel.stats()).toMatchObject({ handled: 1, inFlight: 0 });
      expectBalanced(channel);
    });

    it('gives a message put back by a stop a new handle, still counted as its first delivery', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      await channel.send('job');
      const stopped = newRun();
      const first = (await channel.receive(stopped))!;
      stopped.requestStop();
      stopped.settle({ kind: 'stopped' });

      const again = (await channel.receive(newRun()))!;
      first.ack();

      expect(again).not.toBe(first);
      expect(again).toMatchObject({ id: first.id, body: 'job', deliveryCount: 1, settled: false });
      expect(first.settled).toBe(true);
      expect(channel.stats()).toMatchObject({ handled: 0, inFlight: 1, redeliveries: 1 });
      expectBalanced(channel);
    });

    it('ignores a second settlement of the same delivery', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      await channel.send('a');
      const delivery = await channel.receive(newRun());

      delivery!.ack();
      delivery!.fail(new Error('late'));
      delivery!.ack();

      expect(channel.stats()).toMatchObject({ handled: 1, redeliveries: 0, inFlight: 0 });
    });

    it('waits for redeliveries while draining, then ends the iteration once closed', async () => {
      const channel = new Channel<string>({ name: 'jobs', redelivery: { minMs: 10, jitter: 0 } });
      await channel.send('flaky');
      const seen: number[] = [];
      const run = newRun();
      const consuming = (async () => {
        for await (const delivery of channel.consume(run)) {
          seen.push(delivery.deliveryCount);
          if (delivery.deliveryCount === 1) delivery.fail(new Error('once'));
        }
      })();
      await vi.advanceTimersByTimeAsync(0);

      const closing = channel.close({ timeoutMs: 1000 });
      await vi.advanceTimersByTimeAsync(10);

      await expect(closing).resolves.toMatchObject({ drained: true });
      await consuming;
      expect(seen).toEqual([1, 2]);
      expect(channel.stats()).toMatchObject({ handled: 1, redeliveries: 1 });
    });

    it('registers its hooks once per run, however often the run consumes', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const registrations = { stop: 0, settled: 0 };
      const settled: ((outcome: TaskOutcome) => void)[] = [];
      const ctx: TaskContext = {
        signal: new AbortController().signal,
        index: 0,
        attempt: 1,
        group: 'g',
      };
      attachTaskRunHooks(ctx, {
        stopRequested: false,
        settled: false,
        onStopRequested: () => {
          registrations.stop++;
          return () => {};
        },
        onSettled: (callback) => {
          registrations.settled++;
          settled.push(callback);
        },
      });
      for (let round = 0; round < 50; round++) {
        await channel.send(`m${round}`);
        await channel.send(`r${round}`);
        for await (const delivery of channel.consume(ctx)) {
          expect(delivery.body).toBe(`m${round}`);
          break;
        }
        await channel.receive(ctx);
      }

      expect(registrations).toEqual({ stop: 1, settled: 1 });
      expect(channel.stats().inFlight).toBe(100);
      settled[0]!({ kind: 'completed' });
      expect(channel.stats()).toMatchObject({ inFlight: 0, handled: 100 });
    });

    it('registers one listener on a run of a group, and finds its lease through it', async () => {
      const channel = new Channel<string>({ name: 'jobs' });
      const run = newRun();
      const added = vi.spyOn(run, 'addListener');
      for (let round = 0; round < 20; round++) {
        await channel.send(`m${round}`);
        await channel.send(`r${round}`);
        for await (const delivery of channel.consume(run)) {
          expect(delivery.body).toBe(`m${round}`);
          break;
        }
        await channel.receive(run);
      }

      expect(added).toHaveBeenCalledOnce();
      expect(channel.stats().inFlight).toBe(40);
      run.settle({ kind: 'completed' });
      expect(channel.stats()).toMatchObject({ inFlight: 0, handled: 40 });
    });

    describe('with a context not made by a group', () => {
      function plainContext(): { ctx: TaskContext; controller: AbortController } {
        const controller = new AbortController();
        return {
          ctx: { signal: controller.signal, index: 0, attempt: 1, group: 'plain' },
          controller,
        };
      }

      it('ends a waiting iteration when the context signal fires', async () => {
        const channel = new Channel<string>({ name: 'jobs' });
        const { ctx, controller } = plainContext();
        const waiting = channel.receive(ctx);

        controller.abort();

        await expect(waiting).resolves.toBeUndefined();
      });

      it('puts the held message back uncounted when the iteration is closed', async () => {
        const channel = new Channel<string>({ name: 'jobs' });
        await channel.send('a');
        const { ctx } = plainContext();

        for await (const delivery of channel.consume(ctx)) {
          expect(delivery.body).toBe('a');
          break;
        }

        expect(channel.stats()).toMatchObject({ inFlight: 0, buffered: 1, handled: 0 });
        expect((await channel.receive(plainContext().ctx))?.deliveryCount).toBe(1);
      });
    });
  });
});
