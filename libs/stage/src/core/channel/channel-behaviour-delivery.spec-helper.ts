import { describe, expect, it } from 'vitest';
import type { Channel } from './channel.js';
import type { BehaviourHarness } from './channel-behaviour-harness.spec-helper.js';
import { eventually } from './channel-behaviour-harness.spec-helper.js';
import { expectBalanced, newRun, record } from './channel.spec-helper.js';
import { handleChannel } from './handle-channel.js';
import { DeadLetteredError } from '../errors/dead-lettered-error.js';
import { HandlerTimeoutError } from '../errors/handler-timeout-error.js';

/** Sends `bodies` and fails each once, with `maxDeliveries: 1`, so that each is dead-lettered. */
async function deadLetter(channel: Channel<string>, bodies: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  const run = newRun();
  for (const body of bodies) {
    ids.push(await channel.send(body));
    (await channel.receive(run))!.fail(new Error(`failed ${body}`));
  }
  return ids;
}

/**
 * How messages reach consumers and come back: order, redelivery with the delivery count in loop
 * and handler mode, hung handlers, dead letters (bounded) and their replay.
 */
export function describeDelivery({ channel, group }: BehaviourHarness): void {
  describe('delivery', () => {
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
      expect(jobs.stats()).toMatchObject({ handled: 3, inFlight: 0 });
      expectBalanced(jobs);
    });

    it('keeps the send order of requests and one-way messages sent together', async () => {
      const jobs = channel<string, string>();
      const first = jobs.request('request 1');
      const sent = jobs.send('send 2');
      const second = jobs.request('request 3');
      await sent;
      const run = newRun();

      const bodies: string[] = [];
      for (let index = 0; index < 3; index++) {
        const delivery = (await jobs.receive(run))!;
        bodies.push(delivery.body);
        delivery.ack(`reply to ${delivery.body}`);
      }

      expect(bodies).toEqual(['request 1', 'send 2', 'request 3']);
      await expect(Promise.all([first, second])).resolves.toEqual([
        'reply to request 1',
        'reply to request 3',
      ]);
      expectBalanced(jobs);
    });

    it('puts a message held by a stopped run back first in line, without counting the delivery', async () => {
      const jobs = channel<string>();
      await jobs.send('interrupted');
      await jobs.send('second');
      const stopped = newRun();
      await jobs.receive(stopped);

      stopped.requestStop();
      stopped.settle({ kind: 'stopped' });

      expect(jobs.stats()).toMatchObject({ inFlight: 0, delayed: 0, redeliveries: 1 });
      const run = newRun();
      const again = (await jobs.receive(run))!;
      const next = (await jobs.receive(run))!;
      expect([again.body, again.deliveryCount, next.body]).toEqual(['interrupted', 1, 'second']);
      again.ack();
      next.ack();
      expect(jobs.stats()).toMatchObject({ handled: 2, inFlight: 0 });
      expectBalanced(jobs);
    });

    it('settles every message a run holds by its outcome', async () => {
      const jobs = channel<string>({ redelivery: { minMs: 0, maxMs: 0 } });
      for (const body of ['a', 'b', 'c']) await jobs.send(body);
      const run = newRun();
      const held = [await jobs.receive(run), await jobs.receive(run), await jobs.receive(run)];
      held[1]!.ack();

      run.settle({ kind: 'failed', error: new Error('crash') });

      expect(jobs.stats()).toMatchObject({ inFlight: 0, handled: 1, redeliveries: 2 });
      const retry = newRun();
      const again = [(await jobs.receive(retry))!, (await jobs.receive(retry))!];
      expect(again.map((delivery) => [delivery.body, delivery.deliveryCount])).toEqual([
        ['a', 2],
        ['c', 2],
      ]);
      for (const delivery of again) delivery.ack();
      expect(jobs.stats()).toMatchObject({ handled: 3, inFlight: 0 });
      expectBalanced(jobs);
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
      expectBalanced(jobs);
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

      await eventually(() => jobs.stats().handled === 1, 5_000, 'the redelivery');
      expect(seen).toEqual([
        { deliveryCount: 1, attempt: 1 },
        { deliveryCount: 2, attempt: 2 },
      ]);
      expect(jobs.stats()).toMatchObject({ redeliveries: 1, inFlight: 0 });
      expectBalanced(jobs);
    });

    it('redelivers a delivery failed explicitly in loop mode, and dead-letters it after maxDeliveries with the last error', async () => {
      const jobs = channel<string>({ maxDeliveries: 3, redelivery: { minMs: 1, maxMs: 1 } });
      const id = await jobs.send('poison');
      const run = newRun();

      const counts: number[] = [];
      for (let round = 1; round <= 3; round++) {
        const delivery = (await jobs.receive(run))!;
        counts.push(delivery.deliveryCount);
        delivery.fail(new Error(`failure ${round}`));
      }

      expect(counts).toEqual([1, 2, 3]);
      expect(jobs.deadLetters()).toEqual([
        expect.objectContaining({ id, body: 'poison', deliveryCount: 3 }),
      ]);
      expect(jobs.deadLetters()[0]?.error.message).toBe('failure 3');
      expect(jobs.stats()).toMatchObject({ deadLettered: 1, redeliveries: 2, delayed: 0 });
      expectBalanced(jobs);
    });

    it('fails a hung handler’s delivery with HandlerTimeoutError and redelivers it', async () => {
      const jobs = channel<string>({ redelivery: { minMs: 1, maxMs: 1 } });
      const events = record(jobs);
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
      expect(events.map((event) => event.type)).toContain('handler-abandoned');
      const redelivered = events.find((event) => event.type === 'redelivered');
      expect(redelivered).toMatchObject({ deliveryCount: 2 });
      expect(redelivered?.type === 'redelivered' && redelivered.error).toBeInstanceOf(
        HandlerTimeoutError,
      );
      expectBalanced(jobs);
    });
  });

  describe('dead letters', () => {
    it('rejects a request whose handler always throws with the dead-letter error and its cause', async () => {
      const jobs = channel<string, string>({
        maxDeliveries: 3,
        redelivery: { minMs: 1, maxMs: 1 },
      });
      const events = record(jobs);
      const poisoned = group(
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
      expect(events.filter((event) => event.type === 'dead-lettered')).toHaveLength(1);
      expect(poisoned.status().failures).toBe(0);
      expect(jobs.stats().deadLettered).toBe(1);
      expectBalanced(jobs);
    });

    it('evicts the oldest dead letter when full, counting and reporting it', async () => {
      const jobs = channel<string>({ maxDeliveries: 1, deadLetterCapacity: 2 });
      const events = record(jobs);

      const [first] = await deadLetter(jobs, ['a', 'b', 'c']);

      expect(jobs.deadLetters().map((letter) => letter.body)).toEqual(['b', 'c']);
      expect(jobs.stats()).toMatchObject({
        deadLettered: 3,
        deadLettersEvicted: 1,
        deadLetters: 2,
      });
      const evicted = events.filter((event) => event.type === 'dead-letter-evicted');
      expect(evicted).toHaveLength(1);
      expect(evicted[0]).toMatchObject({ letter: { id: first, body: 'a' } });
      expectBalanced(jobs);
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
      expect(jobs.stats()).toMatchObject({ replayed: 1, deadLettered: 1, handled: 1 });
      expectBalanced(jobs);
    });

    it('puts dead letters back with their ids and a reset delivery count, counted as re-accepted', async () => {
      const jobs = channel<string>({ maxDeliveries: 2, redelivery: { minMs: 0, maxMs: 0 } });
      const id = await jobs.send('poison');
      const run = newRun();
      (await jobs.receive(run))!.fail(new Error('one'));
      (await jobs.receive(run))!.fail(new Error('two'));
      expect(jobs.stats()).toMatchObject({ accepted: 1, deadLettered: 1 });

      expect(jobs.replayDeadLetters()).toEqual([id]);

      expect(jobs.stats()).toMatchObject({
        accepted: 2,
        replayed: 1,
        deadLettered: 1,
        deadLetters: 0,
      });
      expectBalanced(jobs);
      const again = await jobs.receive(run);
      expect(again).toMatchObject({ id, body: 'poison', deliveryCount: 1 });
      again!.ack();
      expect(jobs.stats()).toMatchObject({ handled: 1, inFlight: 0 });
      expectBalanced(jobs);
    });

    it('replays only the ids asked for, ignoring unknown ones, and reports the replay', async () => {
      const jobs = channel<string>({ maxDeliveries: 1 });
      const events = record(jobs);
      const [, second] = await deadLetter(jobs, ['a', 'b', 'c']);

      expect(jobs.replayDeadLetters([second!, 'unknown'])).toEqual([second]);

      expect(jobs.deadLetters().map((letter) => letter.body)).toEqual(['a', 'c']);
      expect(events.at(-1)).toEqual({ type: 'replayed', channel: jobs.name, ids: [second] });
      expect(jobs.replayDeadLetters(['unknown'])).toEqual([]);
      const replayed = await jobs.receive(newRun());
      expect(replayed).toMatchObject({ id: second, body: 'b', deliveryCount: 1 });
      replayed!.ack();
      expect(jobs.stats()).toMatchObject({ replayed: 1, handled: 1, deadLettered: 3 });
      expectBalanced(jobs);
    });
  });
}
