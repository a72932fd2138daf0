import type { ChannelDelivery } from './channel-delivery.js';
import type { QueueLinks } from './linked-queue.js';
import type { RunLease } from './run-lease.js';

/**
 * Someone waiting in a channel's queue for its next message, oldest first: a loop-mode or
 * `receive` consumer, or a handler-mode run. Internal to channels.
 */
export interface ChannelWaiter<TMessage, TReply> extends QueueLinks<
  ChannelWaiter<TMessage, TReply>
> {
  /** The run the waiter takes messages for. */
  readonly lease: RunLease<TMessage, TReply>;
  /**
   * Ends the wait: with the delivery handed to it (already in `lease`'s hands), or with
   * `undefined` when nothing more will come (the run must stop, the channel has closed). Called
   * synchronously from inside the channel: it must not run user code before returning.
   */
  wake(delivery: ChannelDelivery<TMessage, TReply> | undefined): void;
}
