import type { ChannelWaiter } from './channel-waiter.js';
import { LinkedQueue } from './linked-queue.js';

/**
 * The consumers of one channel waiting for a message, oldest first: loop-mode and `receive`
 * consumers, and handler-mode runs. Each is also registered with its run's lease while it waits,
 * so that the run's stop can end its wait. Internal to channels.
 *
 * **Invariant.** A consumer is here exactly while it is registered with its lease, and it is woken
 * exactly once per wait: with a delivery by the channel's dispatch (after {@link next}), or with
 * nothing by {@link cancel} (its run must stop, its iterator returned) or {@link releaseAll} (the
 * channel has closed). Nothing is queued while a message is ready: the channel hands it out first.
 *
 * **Restart.** A restarted task's consumers are new ones, queued behind those already waiting;
 * the stopped run's consumers left the queue when it was asked to stop.
 */
export class WaitingConsumers<TMessage, TReply> {
  /** The waiting consumers, in arrival order. */
  readonly #queue = new LinkedQueue<ChannelWaiter<TMessage, TReply>>();

  /** How many consumers wait. */
  get length(): number {
    return this.#queue.length;
  }

  /** Queues a consumer that found nothing ready; it waits until woken. */
  add(consumer: ChannelWaiter<TMessage, TReply>): void {
    this.#queue.push(consumer);
    consumer.lease.addWaiting(consumer);
  }

  /**
   * Takes out the consumer that has waited longest, for the caller to wake with a delivery, or
   * `undefined` when none waits.
   */
  next(): ChannelWaiter<TMessage, TReply> | undefined {
    const consumer = this.#queue.shift();
    consumer?.lease.removeWaiting(consumer);
    return consumer;
  }

  /** Ends a consumer's wait, if it waits, with nothing. */
  cancel(consumer: ChannelWaiter<TMessage, TReply>): void {
    if (!this.#queue.remove(consumer)) return;
    consumer.lease.removeWaiting(consumer);
    consumer.wake(undefined);
  }

  /** The channel has closed: ends every wait, with nothing, oldest first. */
  releaseAll(): void {
    for (let consumer = this.next(); consumer !== undefined; consumer = this.next()) {
      consumer.wake(undefined);
    }
  }
}
