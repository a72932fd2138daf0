import { setImmediate } from 'node:timers';
import type { ChannelCore } from './channel-core.js';
import type { ChannelDelivery } from './channel-delivery.js';
import type { Delivery } from './delivery.js';
import type { ChannelWaiter } from './channel-waiter.js';
import type { RunLease } from './run-lease.js';
import { anchorShape } from '../util/shape-anchor.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The iterator result that hands out one delivery. A class, not an object literal: V8 tracks an
 * allocation site for each literal and, seeing many of its objects alive at one garbage
 * collection (a busy channel holds a thousand), may allocate them straight in the old generation
 * from then on, where each dies expensively. A busy loop-mode consumer then spent most of its time
 * in full collections; objects made by a constructor are never placed that way.
 *
 * Its prototype has no prototype of its own: resolving a promise with an object looks up `then`
 * along its whole prototype chain, once per delivery, and a chain one link shorter makes that
 * lookup measurably cheaper. Nobody sees these objects: `for await` unwraps them.
 */
class NextDelivery<TMessage, TReply> implements IteratorYieldResult<Delivery<TMessage, TReply>> {
  readonly done = false as const;

  constructor(readonly value: Delivery<TMessage, TReply>) {}
}
Object.setPrototypeOf(NextDelivery.prototype, null);
anchorShape(new NextDelivery({} as Delivery<unknown, unknown>));

/**
 * One consumer of a channel within one run: the async iterator of loop mode, and the taker used
 * by `receive` and by handler mode. Internal to channels.
 *
 * As an iterator, taking the next message settles the previous one as handled (if nothing settled
 * it before); `return()` (a `break` or a `throw` in `for await`) ends the iteration but leaves the
 * held message to the run's outcome, since the iterator cannot tell a break from a throw.
 *
 * Once the channel has handed out messages for `TURN_BUDGET_MS` without a consumer yielding, the
 * next `next()` or `take()` yields to the event loop once (`setImmediate`) before taking, and
 * `tryTake()` takes nothing: a consumer that feeds its own channel, or whose handler returns at
 * once, lets timers, I/O and a stop in. The yield uses `setImmediate` from `node:timers`, which
 * fake timers in tests (they replace the global one) do not hold back: it waits for no clock.
 */
export class ChannelConsumer<TMessage, TReply>
  implements AsyncIterableIterator<Delivery<TMessage, TReply>>, ChannelWaiter<TMessage, TReply>
{
  queuePrev: ChannelWaiter<TMessage, TReply> | undefined = undefined;
  queueNext: ChannelWaiter<TMessage, TReply> | undefined = undefined;
  queued = false;
  /** The delivery last yielded by the iterator, settled as handled when the next one is taken. */
  #current: ChannelDelivery<TMessage, TReply> | undefined = undefined;
  /** Set by `return()`: the iterator yields nothing more. */
  #returned = false;
  /** Set while an iterator `next()` waits; cleared when woken. */
  #resolveNext: ((result: IteratorResult<Delivery<TMessage, TReply>>) => void) | undefined =
    undefined;
  /**
   * The wait in progress, if any (for a message, or for a turn of the event loop): a consumer
   * waits once at a time, so a `next()` or `take()` made while one waits runs after it, in order.
   */
  #waiting: Promise<unknown> | undefined = undefined;
  /** Set while a `take()` waits; cleared when woken. */
  #resolveTake: ((delivery: ChannelDelivery<TMessage, TReply> | undefined) => void) | undefined =
    undefined;

  /** The channel consumed. */
  readonly #core: ChannelCore<TMessage, TReply>;

  constructor(
    core: ChannelCore<TMessage, TReply>,
    readonly lease: RunLease<TMessage, TReply>,
  ) {
    this.#core = core;
  }

  /** Whether nothing more will come: returned, the run must stop, or the channel has closed. */
  get finished(): boolean {
    return this.#returned || this.lease.ended || this.#core.exhausted;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Delivery<TMessage, TReply>>> {
    if (this.#waiting !== undefined) return this.#waiting.then(() => this.next());
    const previous = this.#current;
    if (previous !== undefined) {
      this.#current = undefined;
      if (!previous.settled) this.#core.handled(previous, undefined as TReply);
    }
    if (this.#returned) return Promise.resolve(DONE);
    if (this.#core.turns.owed && !this.finished) return this.#afterTurn(() => this.next());
    const delivery = this.#core.take(this.lease);
    if (delivery !== undefined) {
      this.#current = delivery;
      return Promise.resolve(new NextDelivery(delivery));
    }
    if (this.finished) return Promise.resolve(DONE);
    const waiting = new Promise<IteratorResult<Delivery<TMessage, TReply>>>((resolve) => {
      this.#resolveNext = resolve;
    });
    this.#waiting = waiting;
    this.#core.wait(this);
    return waiting;
  }

  return(): Promise<IteratorResult<Delivery<TMessage, TReply>>> {
    this.#returned = true;
    this.#core.cancelWait(this);
    const current = this.#current;
    this.#current = undefined;
    if (current !== undefined && !current.settled && !this.lease.knowsOutcome) {
      this.#core.failed(current, undefined, false);
    }
    return Promise.resolve(DONE);
  }

  /**
   * Takes a ready message at once, or returns `undefined` when none is ready or the consumer owes
   * the event loop a turn (`take()` yields it); never waits.
   */
  tryTake(): ChannelDelivery<TMessage, TReply> | undefined {
    return this.#returned || this.#core.turns.owed ? undefined : this.#core.take(this.lease);
  }

  /** Takes the next message, waiting for one; `undefined` once nothing more will come. */
  take(): Promise<ChannelDelivery<TMessage, TReply> | undefined> {
    if (this.#waiting !== undefined) return this.#waiting.then(() => this.take());
    if (this.#core.turns.owed && !this.finished) return this.#afterTurn(() => this.take());
    const delivery = this.tryTake();
    if (delivery !== undefined || this.finished) return Promise.resolve(delivery);
    const waiting = new Promise<ChannelDelivery<TMessage, TReply> | undefined>((resolve) => {
      this.#resolveTake = resolve;
    });
    this.#waiting = waiting;
    this.#core.wait(this);
    return waiting;
  }

  /** Yields to the event loop once, then runs `then` (see the class's documentation). */
  #afterTurn<TResult>(then: () => Promise<TResult>): Promise<TResult> {
    this.#core.turns.taken();
    const turn = new Promise<void>((resolve) => setImmediate(resolve));
    this.#waiting = turn;
    return turn.then(() => {
      this.#waiting = undefined;
      return then();
    });
  }

  /** Hands a waiting consumer its delivery, or `undefined` to end its wait. */
  wake(delivery: ChannelDelivery<TMessage, TReply> | undefined): void {
    const resolveNext = this.#resolveNext;
    const resolveTake = this.#resolveTake;
    this.#resolveNext = undefined;
    this.#resolveTake = undefined;
    this.#waiting = undefined;
    if (resolveNext !== undefined) {
      if (delivery === undefined) resolveNext(DONE);
      else {
        this.#current = delivery;
        resolveNext(new NextDelivery(delivery));
      }
    } else if (resolveTake !== undefined) {
      resolveTake(delivery);
    }
  }
}
