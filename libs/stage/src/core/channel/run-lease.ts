import type { ChannelConsumer } from './channel-consumer.js';
import type { ChannelCore } from './channel-core.js';
import type { ChannelDelivery } from './channel-delivery.js';
import type { TaskContext, TaskOutcome } from '../group/task-context.js';
import { taskRunHooks } from '../group/task-run-hooks.js';

/**
 * What one run of a task holds from one channel: its deliveries, settled by the run's outcome
 * when nothing settled them before, and its waiting consumers, woken when the run must stop.
 * One per run, shared by its `consume()` and `receive()` calls, or one per handler-mode task.
 * Internal.
 *
 * With a context made by a group, the run's hooks tell the stop and the outcome, and no
 * `AbortController` is created. With any other context, the stop is read from `ctx.signal` and
 * the outcome is unknown: deliveries are settled by `ack`/`fail`, by taking the next message, or
 * put back (uncounted) when the iterator is closed.
 */
export class RunLease<TMessage, TReply> {
  /** Set once the run was asked to stop or has ended: from then on it takes nothing. */
  ended = false;
  /** Whether the run's outcome will be reported (the context came from a group). */
  readonly knowsOutcome: boolean;
  /** The delivery held, in the common case of one at a time. */
  #held: ChannelDelivery<TMessage, TReply> | undefined = undefined;
  /** Further deliveries held at once, created only when a run holds several. */
  #moreHeld: Set<ChannelDelivery<TMessage, TReply>> | undefined = undefined;
  /** The consumer waiting for a message, in the common case of one. */
  #waiting: ChannelConsumer<TMessage, TReply> | undefined = undefined;
  /** Further waiting consumers, created only when a run waits on several at once. */
  #moreWaiting: ChannelConsumer<TMessage, TReply>[] | undefined = undefined;

  /** The channel the run consumes. */
  readonly #core: ChannelCore<TMessage, TReply>;

  constructor(
    core: ChannelCore<TMessage, TReply>,
    readonly ctx: TaskContext,
  ) {
    this.#core = core;
    const hooks = taskRunHooks(ctx);
    this.knowsOutcome = hooks !== undefined;
    if (hooks !== undefined) {
      if (hooks.stopRequested) this.ended = true;
      else hooks.onStopRequested(() => this.stop());
      hooks.onSettled((outcome) => this.settle(outcome));
    } else if (ctx.signal.aborted) {
      this.ended = true;
    } else {
      ctx.signal.addEventListener('abort', this, { once: true });
    }
  }

  /** The context's signal fired (contexts not made by a group). */
  handleEvent(): void {
    this.stop();
  }

  hold(delivery: ChannelDelivery<TMessage, TReply>): void {
    if (this.#held === undefined) this.#held = delivery;
    else (this.#moreHeld ??= new Set()).add(delivery);
  }

  letGo(delivery: ChannelDelivery<TMessage, TReply>): void {
    if (this.#held === delivery) this.#held = undefined;
    else this.#moreHeld?.delete(delivery);
  }

  addWaiting(consumer: ChannelConsumer<TMessage, TReply>): void {
    if (this.#waiting === undefined) this.#waiting = consumer;
    else (this.#moreWaiting ??= []).push(consumer);
  }

  removeWaiting(consumer: ChannelConsumer<TMessage, TReply>): void {
    if (this.#waiting === consumer) this.#waiting = undefined;
    else if (this.#moreWaiting !== undefined) {
      const index = this.#moreWaiting.indexOf(consumer);
      if (index >= 0) this.#moreWaiting.splice(index, 1);
    }
  }

  /** The run must stop: it takes nothing more, and its waiting consumers end. */
  stop(): void {
    this.ended = true;
    const waiting = this.#waiting;
    const moreWaiting = this.#moreWaiting;
    this.#waiting = undefined;
    this.#moreWaiting = undefined;
    if (waiting !== undefined) this.#core.cancelWait(waiting);
    if (moreWaiting !== undefined)
      for (const consumer of moreWaiting) this.#core.cancelWait(consumer);
  }

  /** The run ended: every delivery it still holds settles by its outcome. */
  settle(outcome: TaskOutcome): void {
    this.stop();
    const held = this.#held;
    const moreHeld = this.#moreHeld === undefined ? undefined : [...this.#moreHeld];
    if (held !== undefined) this.#core.settleByOutcome(held, outcome);
    if (moreHeld !== undefined)
      for (const delivery of moreHeld) this.#core.settleByOutcome(delivery, outcome);
  }
}
