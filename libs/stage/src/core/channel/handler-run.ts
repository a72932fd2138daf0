import { setImmediate } from 'node:timers';
import type { ChannelCore } from './channel-core.js';
import type { ChannelDelivery } from './channel-delivery.js';
import type { ChannelWaiter } from './channel-waiter.js';
import type { Delivery } from './delivery.js';
import type { RunLease } from './run-lease.js';
import { HandlerTimeoutError } from '../errors/handler-timeout-error.js';
import { toError } from '../errors/thrown-value-error.js';
import type { DirectRunEnd } from '../group/direct-task.js';

/** What every run of one handler-mode task shares: the channel, the handler and its timeout. */
export interface HandlerSpec {
  readonly core: ChannelCore<unknown, unknown>;
  readonly handler: (body: unknown, delivery: Delivery<unknown, unknown>) => unknown;
  /** How long one call of the handler may take; `undefined` for no limit and no timer. */
  readonly timeoutMs: number | undefined;
}

const COMPLETED = Object.freeze({ kind: 'completed' as const });

/**
 * One run of a handler-mode task (see `handleChannel` for what it promises), driven by
 * callbacks instead of an async function: while it waits for a message it is only this object in
 * the channel's queue of waiting consumers, with no async frame, promise or closure, so that an
 * idle handler task costs little more than its bookkeeping. Internal to channels.
 *
 * **Invariants.** The run is in exactly one of these places: taking messages in `#next` (called
 * at the start, after each synchronous handler, after a turn of the event loop and after an
 * asynchronous handler settled), waiting in the channel's queue until `wake`, waiting for one
 * handler's promise, waiting for the turn it yields (`setImmediate`), or ended. It reports its
 * end once, through `end`; nothing it does afterwards reaches the channel except settling a
 * delivery it still held, which the channel ignores if it was settled meanwhile.
 */
export class HandlerRun implements ChannelWaiter<unknown, unknown> {
  queuePrev: ChannelWaiter<unknown, unknown> | undefined = undefined;
  queueNext: ChannelWaiter<unknown, unknown> | undefined = undefined;
  queued = false;

  constructor(
    readonly spec: HandlerSpec,
    readonly lease: RunLease<unknown, unknown>,
    /** Where the run's end is reported: its `TaskRun`, or a promise's resolvers. */
    readonly end: DirectRunEnd,
  ) {}

  /** Starts taking messages on the next microtask: user code never runs inside the start. */
  start(): void {
    queueMicrotask(() => this.#next());
  }

  /** Goes on taking messages after the turn of the event loop the run yielded. */
  resume(): void {
    this.#next();
  }

  wake(delivery: ChannelDelivery<unknown, unknown> | undefined): void {
    // Woken from inside the channel (a dispatch, a stop): the handler runs on a microtask.
    queueMicrotask(() =>
      delivery === undefined ? this.#finish() : this.#handleThenNext(delivery),
    );
  }

  /** Hands out ready messages to the handler until it must wait, yield or end. */
  #next(): void {
    try {
      const { core } = this.spec;
      for (;;) {
        const delivery = core.turns.owed ? undefined : core.take(this.lease);
        if (delivery === undefined) {
          if (this.lease.ended || core.exhausted) {
            this.#finish();
          } else if (core.turns.owed) {
            core.turns.taken();
            setImmediate(afterTurn, this);
          } else {
            core.wait(this);
          }
          return;
        }
        if (!this.#handle(delivery)) return;
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  #handleThenNext(delivery: ChannelDelivery<unknown, unknown>): void {
    try {
      if (!this.#handle(delivery)) return;
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#next();
  }

  /**
   * Calls the handler with `delivery`. Returns true when the delivery is settled already (the
   * handler returned or threw synchronously), false when it waits for the handler's promise.
   */
  #handle(delivery: ChannelDelivery<unknown, unknown>): boolean {
    const { core, handler } = this.spec;
    let result: unknown;
    let pending: Promise<unknown> | undefined;
    try {
      result = handler(delivery.body, delivery);
      if (isPromiseLike(result)) pending = Promise.resolve(result);
    } catch (error) {
      failDelivery(core, delivery, error);
      return true;
    }
    if (pending === undefined) {
      core.handled(delivery, result);
      return true;
    }
    this.#awaitHandler(delivery, pending);
    return false;
  }

  /**
   * Waits for an asynchronous handler, within the timeout if there is one. The deadline is kept on
   * the delivery's message: whatever settles the delivery first (the handler's result, the run's
   * stop, its abandonment at the group's stop deadline) disarms it, so that it never outlives the
   * delivery it guards nor acts on a later one.
   */
  #awaitHandler(delivery: ChannelDelivery<unknown, unknown>, pending: Promise<unknown>): void {
    const { core, timeoutMs } = this.spec;
    let done = false;
    if (timeoutMs !== undefined) {
      const envelope = delivery.envelope;
      envelope.timer = setTimeout(() => {
        envelope.timer = undefined;
        if (done || delivery.settled) return;
        done = true;
        this.#hung(delivery, timeoutMs);
      }, timeoutMs);
    }
    pending.then(
      (value: unknown) => {
        if (done) return; // hung and abandoned: a late result is ignored
        done = true;
        this.#settleThenNext(() => core.handled(delivery, value));
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        this.#settleThenNext(() => failDelivery(core, delivery, error));
      },
    );
  }

  #settleThenNext(settle: () => void): void {
    try {
      settle();
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#next();
  }

  /** The handler outlived its timeout: its delivery fails and the run fails, to be replaced. */
  #hung(delivery: ChannelDelivery<unknown, unknown>, timeoutMs: number): void {
    const { core } = this.spec;
    const hung = new HandlerTimeoutError(core.name, delivery.id, timeoutMs);
    try {
      core.reportAbandoned(delivery, timeoutMs);
      failDelivery(core, delivery, hung);
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#fail(hung);
  }

  /** Nothing more to take: the run completes (its group sees it stopped if it was told to). */
  #finish(): void {
    this.end.runEnded(COMPLETED);
  }

  #fail(error: unknown): void {
    this.end.runEnded({ kind: 'failed', error: toError(error) });
  }
}

/** Resumes a run after the turn of the event loop it yielded (a shared callback: no closure). */
function afterTurn(run: HandlerRun): void {
  run.resume();
}

/** Fails a delivery; after the run's stop was requested, puts it back uncounted instead. */
function failDelivery(
  core: ChannelCore<unknown, unknown>,
  delivery: ChannelDelivery<unknown, unknown>,
  error: unknown,
): void {
  if (delivery.lease.ended) core.failed(delivery, undefined, false);
  else core.failed(delivery, toError(error), true);
}

function isPromiseLike<TValue>(value: TValue | PromiseLike<TValue>): value is PromiseLike<TValue> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<TValue>).then === 'function'
  );
}
