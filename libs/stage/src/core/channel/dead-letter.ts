import type { MessageId } from './message-id.js';

/**
 * A message set aside because it could not be delivered successfully: it failed on its last
 * allowed delivery (`maxDeliveries`), or its channel closed before it could be delivered.
 *
 * A snapshot: safe to keep, log or serialize (the body is kept by reference in memory).
 */
export interface DeadLetter<TMessage> {
  /** The message's id, the same as when it was sent. */
  readonly id: MessageId;
  /** The message's body. */
  readonly body: TMessage;
  /** How many deliveries of the message failed (those interrupted by a stop are not counted). */
  readonly deliveryCount: number;
  /**
   * Why it was dead-lettered: the last delivery's error, or a `ClosedBeforeDeliveryError` when
   * the channel closed first.
   */
  readonly error: Error;
  /** When it was dead-lettered, in ms since the epoch (`Date.now()`). */
  readonly at: number;
}
