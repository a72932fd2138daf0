import type { AbortFollower } from './abort-fan-out.js';
import type { ChannelCore } from './channel-core.js';
import type { ChannelDelivery } from './channel-delivery.js';
import type { ChannelWaiter } from './channel-waiter.js';
import type { TaskContext, TaskOutcome } from '../group/task-context.js';
import { listenToRun, taskRunHooks, type TaskRunListener } from '../group/task-run-hooks.js';

/**
 * What one run of a task holds from one channel: its deliveries, settled by the run's outcome
 * when nothing settled them before, and its waiting consumers, woken when the run must stop.
 * One per run, shared by its `consume()` and `receive()` calls, or one per handler-mode task.
 * Internal.
 *
 * With a context made by a group, the lease listens to the run's hooks for the stop and the
 * outcome (as one listener: no closure, no `AbortController`), and is found again through them;
 * a run that has already settled takes nothing. With any other
 * context, the stop is read from `ctx.signal` and the outcome is unknown: deliveries are settled
 * by `ack`/`fail`, by taking the next message, or put back (uncounted) when the iterator is
 * closed. Its signal is followed only while a consumer of the run waits (one listener per signal
 * and channel, see `AbortFanOut`), so that contexts made per call pile up no listeners.
 */
export class RunLease<TMessage, TReply> implements AbortFollower, TaskRunListener {
  /** Set once the run was asked to stop or has ended; never cleared. */
  #ended = false;
  /** The signal of a context made outside a group, read when needed; `undefined` otherwise. */
  readonly #signal: AbortSignal | undefined;
  /** Whether `#signal` is followed: exactly while a consumer of the run waits. */
  #following = false;
  /** Whether the run's outcome will be reported (the context came from a group). */
  readonly knowsOutcome: boolean;
  /** The delivery held, in the common case of one at a time. */
  #held: ChannelDelivery<TMessage, TReply> | undefined = undefined;
  /** Further deliveries held at once, created only when a run holds several. */
  #moreHeld: Set<ChannelDelivery<TMessage, TReply>> | undefined = undefined;
  /** The consumer waiting for a message, in the common case of one. */
  #waiting: ChannelWaiter<TMessage, TReply> | undefined = undefined;
  /** Further waiting consumers, created only when a run waits on several at once. */
  #moreWaiting: ChannelWaiter<TMessage, TReply>[] | undefined = undefined;

  /** The channel the run consumes. */
  readonly #core: ChannelCore<TMessage, TReply>;

  constructor(
    core: ChannelCore<TMessage, TReply>,
    readonly ctx: TaskContext,
  ) {
    this.#core = core;
    const hooks = taskRunHooks(ctx);
    this.knowsOutcome = hooks !== undefined;
    this.#signal = hooks === undefined ? ctx.signal : undefined;
    if (hooks === undefined) return;
    if (hooks.settled) {
      // The run is over: nothing it takes could be settled by its outcome.
      this.#ended = true;
      return;
    }
    if (hooks.stopRequested) this.#ended = true;
    listenToRun(hooks, this);
  }

  /** The channel the run consumes. */
  get core(): ChannelCore<TMessage, TReply> {
    return this.#core;
  }

  /** The channel again: what the run's hooks find this lease by. */
  get key(): ChannelCore<TMessage, TReply> {
    return this.#core;
  }

  runStopRequested(): void {
    this.stop();
  }

  runSettled(outcome: TaskOutcome): void {
    this.settle(outcome);
  }

  /** Whether the run was asked to stop or has ended: from then on it takes nothing. */
  get ended(): boolean {
    return this.#ended || (this.#signal !== undefined && this.#signal.aborted);
  }

  /** The context's signal fired while a consumer waited (contexts not made by a group). */
  signalAborted(): void {
    this.#following = false;
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

  addWaiting(consumer: ChannelWaiter<TMessage, TReply>): void {
    if (this.#waiting === undefined) this.#waiting = consumer;
    else (this.#moreWaiting ??= []).push(consumer);
    if (this.#signal !== undefined && !this.#following) {
      this.#following = true;
      this.#core.aborts.follow(this.#signal, this);
    }
  }

  removeWaiting(consumer: ChannelWaiter<TMessage, TReply>): void {
    if (this.#waiting === consumer) this.#waiting = undefined;
    else if (this.#moreWaiting !== undefined) {
      const index = this.#moreWaiting.indexOf(consumer);
      if (index >= 0) this.#moreWaiting.splice(index, 1);
    }
    const noneWaiting =
      this.#waiting === undefined &&
      (this.#moreWaiting === undefined || this.#moreWaiting.length === 0);
    if (this.#following && noneWaiting) this.#unfollow();
  }

  /** The run must stop: it takes nothing more, and its waiting consumers end. */
  stop(): void {
    this.#ended = true;
    if (this.#following) this.#unfollow();
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

  /** Stops following the context's signal: no consumer of the run waits any more. */
  #unfollow(): void {
    this.#following = false;
    if (this.#signal !== undefined) this.#core.aborts.unfollow(this.#signal, this);
  }
}
