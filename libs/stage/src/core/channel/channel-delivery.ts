import type { ChannelCore } from './channel-core.js';
import type { Delivery } from './delivery.js';
import type { Envelope } from './envelope.js';
import type { MessageId } from './message-id.js';
import type { RunLease } from './run-lease.js';
import { toError } from '../errors/thrown-value-error.js';

/** The channel's implementation of {@link Delivery}. Internal to channels. */
export class ChannelDelivery<TMessage, TReply> implements Delivery<TMessage, TReply> {
  /** Set once, by whichever settlement comes first; later ones do nothing. */
  settled = false;

  /** The channel the message belongs to. */
  readonly #core: ChannelCore<TMessage, TReply>;

  constructor(
    core: ChannelCore<TMessage, TReply>,
    readonly envelope: Envelope<TMessage, TReply>,
    /** The run that holds the delivery, which settles it by its outcome if nothing else does. */
    readonly lease: RunLease<TMessage, TReply>,
    readonly deliveryCount: number,
  ) {
    this.#core = core;
  }

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
    this.#core.handled(this, reply as TReply);
  }

  fail(error: unknown): void {
    this.#core.failed(this, toError(error), true);
  }
}
