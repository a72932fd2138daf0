import type { Delivery } from './delivery.js';
import type { Envelope } from './envelope.js';
import type { MessageId } from './message-id.js';
import type { RunLease } from './run-lease.js';
import { toError } from '../errors/thrown-value-error.js';

/**
 * A message in a task's hands, as the channel settles it: the public {@link Delivery} plus what
 * the channel needs. A message's first delivery is its {@link Envelope} itself, so that a message
 * delivered once costs one object; each later delivery is a {@link Redelivery}, so that a stale
 * handle of an earlier delivery stays settled. Internal to channels.
 */
export interface ChannelDelivery<TMessage, TReply> extends Delivery<TMessage, TReply> {
  /** Set once, by whichever settlement comes first; later ones do nothing. */
  settled: boolean;
  /** The message delivered. */
  readonly envelope: Envelope<TMessage, TReply>;
  /** The run that holds the delivery, which settles it by its outcome if nothing else does. */
  readonly lease: RunLease<TMessage, TReply>;
}

/** A delivery of a message after its first (see {@link ChannelDelivery}). Internal to channels. */
export class Redelivery<TMessage, TReply> implements ChannelDelivery<TMessage, TReply> {
  settled = false;

  constructor(
    readonly envelope: Envelope<TMessage, TReply>,
    readonly lease: RunLease<TMessage, TReply>,
    readonly deliveryCount: number,
  ) {}

  get id(): MessageId {
    return this.envelope.id;
  }

  get body(): TMessage {
    return this.envelope.body;
  }

  get isRequest(): boolean {
    return this.envelope.isRequest;
  }

  get signal(): AbortSignal {
    return this.lease.ctx.signal;
  }

  ack(reply?: TReply): void {
    this.lease.core.handled(this, reply as TReply);
  }

  fail(error: unknown): void {
    this.lease.core.failed(this, toError(error), true);
  }
}
