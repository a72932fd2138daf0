import type { MessageId } from './message-id.js';

/**
 * One hand-over of a message to a task. The message is *in flight* from the moment the task takes
 * it until the delivery is settled, in exactly one of these ways:
 *
 * - `ack()` (or, in loop mode, taking the next message; in handler mode, the handler returning):
 *   handled. For a request, the value given to `ack` is the reply.
 * - `fail(error)` (in handler mode, the handler throwing): the delivery failed and counts; the
 *   message is redelivered after its redelivery delay, or dead-lettered after `maxDeliveries`.
 * - Otherwise, when the task's run ends: *completed* settles it as handled, *failed* as a failed
 *   delivery (it counts), *stopped* puts the message back at the front of the channel without
 *   counting the delivery.
 *
 * Settling an already settled delivery does nothing. The body is passed by reference: treat it as
 * immutable, since a redelivery hands the same object to the next consumer.
 */
export interface Delivery<TMessage, TReply = void> {
  /** The message's stable id: the same on every delivery and replay. Use it for idempotency. */
  readonly id: MessageId;
  /** The message's body. */
  readonly body: TMessage;
  /** This delivery's number: 1 the first time, plus one per earlier delivery that failed. */
  readonly deliveryCount: number;
  /** Whether the sender waits for a reply (`request`) rather than only for acceptance (`send`). */
  readonly isRequest: boolean;
  /** Whether this delivery has been settled. */
  readonly settled: boolean;
  /**
   * Fires when the task holding this delivery must stop. Work interrupted because of it should
   * throw or return: a delivery interrupted by a stop does not count.
   */
  readonly signal: AbortSignal;
  /** Settles the delivery as handled; for a request, `reply` resolves the request. */
  ack(reply?: TReply): void;
  /** Settles the delivery as failed with `error` (any value; non-`Error`s are wrapped). */
  fail(error: unknown): void;
}
