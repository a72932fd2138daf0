import { afterEach, describe, expect, it } from 'vitest';
import { Channel } from './channel.js';
import type { ChannelOptions } from './channel-options.js';
import type { ChannelStorage } from './channel-storage.js';
import { handleChannel } from './handle-channel.js';
import { expectBalanced, newRun } from './channel.spec-helper.js';
import { ChannelClosedError } from '../errors/channel-closed-error.js';
import { DeadLetteredError } from '../errors/dead-lettered-error.js';
import { HandlerTimeoutError } from '../errors/handler-timeout-error.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';
import { isStageError } from '../errors/stage-error.js';
import { TaskGroup } from '../group/task-group.js';
import type { TaskContext } from '../group/task-context.js';

/** How the behaviour suite gets a storage for each channel it builds. */
export interface BehaviourTarget {
  /** A fresh storage for a channel named `name`; `undefined` for the in-memory default. */
  readonly storage: (name: string) => ChannelStorage<unknown> | undefined;
}

/** Waits, with real timers (the storage may do real I/O). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition` holds, polling, or fails after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'the condition',
): Promise<void> {
  for (let waited = 0; !(await condition()); waited += 10) {
    if (waited >= timeoutMs) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/**
 * The behaviours of a channel that every storage must keep, run with real timers against the
 * storage `target` makes: ordering on one consumer, replies, redelivery with the delivery count,
 * dead-lettering with its cause, replays, timeouts, close. Behaviours a storage's docs declare
 * unsupported (exact capacity across processes, `trySend`, `drop-oldest` on Redis) are tested
 * by that storage's own specs instead.
 */
export function describeChannelBehaviour(label: string, target: BehaviourTarget): void {
  describe(`Channel on ${label}`, () => {
    const open: { channels: Channel<unknown, unknown>[]; groups: TaskGroup[] } = {
      channels: [],
      groups: [],
    };
    let counter = 0;

    function channel<TMessage, TReply = void>(
      options: Omit<ChannelOptions<TMessage>, 'name' | 'storage'> = {},
    ): Channel<TMessage, TReply> {
      const name = `behaviour-${++counter}`;
      const storage = target.storage(name) as ChannelStorage<TMessage> | undefined;
      const built = new Channel<TMessage, TReply>({
        name,
        ...options,
        ...(storage === undefined ? {} : { storage }),
      });
      open.channels.push(built as unknown as Channel<unknown, unknown>);
      return built;
    }

    function group(name: string, task: (ctx: TaskContext) => Promise<void>, size = 1): TaskGroup {
      const built = new TaskGroup({ name, size, task, backoff: { minMs: 5, maxMs: 20 } });
      open.groups.push(built);
      built.start();
      return built;
    }

    afterEach(async () => {
      await Promise.all(open.channels.map((each) => each.close({ timeoutMs: 200 })));
      await Promise.all(open.groups.map((each) => each.stop({ timeoutMs: 200 })));
      open.channels = [];
      open.groups = [];
    });

    it('delivers first deliveries to one consumer in send order, each with a delivery count of 1', async () => {
      const jobs = channel<string>();
      const ids = [await jobs.send('a'), await jobs.send('b'), await jobs.send('c')];
      const run = newRun();

      const deliveries = [];
      for (let index = 0; index < 3; index++) deliveries.push(await jobs.receive(run));

      expect(deliveries.map((delivery) => delivery?.body)).toEqual(['a', 'b', 'c']);
      expect(deliveries.map((delivery) => delivery?.id)).toEqual(ids);
      expect(deliveries.map((delivery) => delivery?.deliveryCount)).toEqual([1, 1, 1]);
      for (const delivery of deliveries) delivery?.ack();
      expectBalanced(jobs as Channel<unknown, unknown>);
    });

    it('resolves a request with the handler’s reply', async () => {
      const adder = channel<{ a: number; b: number }, number>();
      group(
        'adders',
        handleChannel(adder, ({ a, b }) => a + b),
        2,
      );

      const replies = await Promise.all(
        [1, 2, 3].map((a) => adder.request({ a, b: 10 }, { timeoutMs: 5_000 })),
      );

      expect(replies).toEqual([11, 12, 13]);
    });

    it('redelivers a message whose handler threw, with a delivery count of 2', async () => {
      const jobs = channel<string>({ redelivery: { minMs: 5, maxMs: 5 } });
      const seen: number[] = [];
      group(
        'flaky',
        handleChannel(jobs, (_body, delivery) => {
          seen.push(delivery.deliveryCount);
          if (delivery.deliveryCount === 1) throw new Error('first delivery fails');
        }),
      );

      await jobs.send('job');

      await eventually(() => jobs.stats().handled === 1, 5_000, 'the redelivery');
      expect(seen).toEqual([1, 2]);
      expect(jobs.stats().redeliveries).toBe(1);
      expectBalanced(jobs as Channel<unknown, unknown>);
    });

    it('redelivers the message a crashed loop-mode task held to its restarted run', async () => {
      const jobs = channel<string>({ redelivery: { minMs: 5, maxMs: 5 } });
      const seen: { deliveryCount: number; attempt: number }[] = [];
      group('crashing', async (ctx) => {
        for await (const delivery of jobs.consume(ctx)) {
          seen.push({ deliveryCount: delivery.deliveryCount, attempt: ctx.attempt });
          if (delivery.deliveryCount === 1) throw new Error('crash while holding it');
        }
      });

      await jobs.send('job');

      await eventually(() => seen.length === 2, 5_000, 'the redelivery');
      expect(seen).toEqual([
        { deliveryCount: 1, attempt: 1 },
        { deliveryCount: 2, attempt: 2 },
      ]);
    });

    it('rejects a request whose handler always throws with the dead-letter error and its cause', async () => {
      const jobs = channel<string, string>({
        maxDeliveries: 3,
        redelivery: { minMs: 1, maxMs: 1 },
      });
      group(
        'poisoned',
        handleChannel(jobs, (body, delivery) => {
          throw new Error(`cannot handle ${body} (delivery ${delivery.deliveryCount})`);
        }),
      );

      const reply = jobs.request('poison', { timeoutMs: 5_000 });

      await expect(reply).rejects.toSatisfy(
        (error) =>
          error instanceof DeadLetteredError &&
          error.deliveryCount === 3 &&
          (error.cause as Error).message === 'cannot handle poison (delivery 3)',
      );
      await eventually(() => jobs.deadLetters().length === 1, 2_000, 'the dead letter');
      expect(jobs.deadLetters()[0]).toMatchObject({ body: 'poison', deliveryCount: 3 });
      expect(jobs.stats().deadLettered).toBe(1);
      expectBalanced(jobs as Channel<unknown, unknown>);
    });

    it('replays a dead letter with its id kept, and hands it to a consumer again', async () => {
      const jobs = channel<string>({ maxDeliveries: 1 });
      let fixed = false;
      const handled: string[] = [];
      group(
        'fixable',
        handleChannel(jobs, (body, delivery) => {
          if (!fixed) throw new Error('bug');
          handled.push(`${body} ${delivery.id}`);
        }),
      );
      const id = await jobs.send('job');
      await eventually(() => jobs.deadLetters().length === 1, 5_000, 'the dead letter');

      fixed = true;
      expect(jobs.replayDeadLetters()).toEqual([id]);

      await eventually(() => handled.length === 1, 5_000, 'the replay');
      expect(handled).toEqual([`job ${id}`]);
      expect(jobs.deadLetters()).toEqual([]);
      expect(jobs.stats()).toMatchObject({ replayed: 1, deadLettered: 1 });
    });

    it('rejects a request nobody handles in time with RequestTimeoutError', async () => {
      const jobs = channel<string, string>();

      await expect(jobs.request('nobody', { timeoutMs: 50 })).rejects.toThrow(RequestTimeoutError);
      expectBalanced(jobs as Channel<unknown, unknown>);
    });

    it('never hands a consumer a request whose sender stopped waiting', async () => {
      const jobs = channel<string, string>();
      const reply = jobs.request('expired', { timeoutMs: 30 });
      await expect(reply).rejects.toThrow(RequestTimeoutError);
      const handled: string[] = [];

      group(
        'late',
        handleChannel(jobs, (body) => {
          handled.push(body);
          return body;
        }),
      );
      await jobs.send('fresh');

      await eventually(() => handled.length === 1, 5_000, 'the fresh message');
      await sleep(50);
      expect(handled).toEqual(['fresh']);
    });

    it('fails a hung handler’s delivery with HandlerTimeoutError and redelivers it', async () => {
      const jobs = channel<string>({ redelivery: { minMs: 1, maxMs: 1 } });
      const events: unknown[] = [];
      jobs.on((event) => {
        if (event.type === 'redelivered') events.push(event.error);
      });
      group(
        'hanging',
        handleChannel(
          jobs,
          (_body, delivery) =>
            delivery.deliveryCount === 1 ? new Promise<void>(() => {}) : undefined,
          { handlerTimeoutMs: 30 },
        ),
      );

      await jobs.send('job');

      await eventually(() => jobs.stats().handled === 1, 5_000, 'the redelivery');
      expect(events[0]).toBeInstanceOf(HandlerTimeoutError);
    });

    it('rejects a send after close at once with ChannelClosedError', async () => {
      const jobs = channel<string>();
      await jobs.close();

      await expect(jobs.send('late')).rejects.toThrow(ChannelClosedError);
      await expect(jobs.request('late')).rejects.toSatisfy((error) =>
        isStageError(error, 'STAGE_CHANNEL_CLOSED'),
      );
    });

    it('ends a waiting consumer when the channel closes, with a drained report', async () => {
      const jobs = channel<string>();
      const waiting = jobs.receive(newRun());

      const report = await jobs.close({ timeoutMs: 500 });

      await expect(waiting).resolves.toBeUndefined();
      expect(report).toMatchObject({ drained: true, inFlight: 0 });
    });

    it('balances its ledger under mixed traffic: sends, requests, failures, dead letters', async () => {
      const jobs = channel<number, number>({
        maxDeliveries: 2,
        redelivery: { minMs: 1, maxMs: 2 },
      });
      group(
        'mixed',
        handleChannel(jobs, (n, delivery) => {
          if (n % 5 === 0) throw new Error('multiple of five');
          if (n % 3 === 0 && delivery.deliveryCount === 1) throw new Error('first try');
          return n * 2;
        }),
        3,
      );

      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, (_, n) =>
          n % 2 === 0 ? jobs.request(n, { timeoutMs: 5_000 }) : jobs.send(n),
        ),
      );
      await eventually(
        () => {
          const s = jobs.stats();
          return s.buffered + s.inFlight + s.delayed === 0 && s.handled + s.deadLettered >= 30;
        },
        5_000,
        'every message to end',
      );

      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(3);
      expect(jobs.stats()).toMatchObject({ handled: 24, deadLettered: 6 });
      expectBalanced(jobs as Channel<unknown, unknown>);
    });
  });
}
