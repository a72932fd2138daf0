import type { RemoteReply, RemoteRequester } from '../core/channel/channel-storage.js';
import type { ChannelLink } from './channel-link.js';
import type { MessageSerializer } from './message-serializer.js';
import type { PendingOperations } from './pending-operations.js';
import type { RedisConnections } from './redis-connections.js';
import { ReplySubscription } from './reply-subscription.js';
import { decodeReply, encodeReply } from './stream-entry.js';
import type { DecodedEntry } from './stream-entry.js';

/**
 * The replies of requests sent through a Redis channel, both ways: this storage hears the
 * replies to its own requests on its reply channel (pub/sub, subscribed before the first request
 * is stored), and publishes the outcome of a request it handles on the requester's. Internal.
 *
 * **Failure.** A reply that cannot be encoded is sent as a failure instead; one that cannot be
 * published, or a reply heard that cannot be decoded, is reported and that request ends with its
 * own timeout. **Closing.** Nothing is published once the storage has closed.
 */
export class RequestReplies<TMessage> {
  /** The channel, its keys and commands, and the storage's state. */
  readonly #link: ChannelLink<TMessage>;
  /** Where the subscriber connection comes from. */
  readonly #connections: RedisConnections;
  /** Where publications are tracked, so that closing waits for them. */
  readonly #operations: PendingOperations;
  /** Encodes the replies published and decodes those heard. */
  readonly #serializer: MessageSerializer;
  /** The subscription that hears replies, made on the first request. */
  #subscription: ReplySubscription | undefined = undefined;

  constructor(options: {
    readonly link: ChannelLink<TMessage>;
    readonly connections: RedisConnections;
    readonly operations: PendingOperations;
    readonly serializer: MessageSerializer;
  }) {
    this.#link = options.link;
    this.#connections = options.connections;
    this.#operations = options.operations;
    this.#serializer = options.serializer;
  }

  /** Whether replies are heard already: a request may then be stored at once. */
  get subscribed(): boolean {
    return this.#subscription?.subscribed ?? false;
  }

  /**
   * Subscribes to this storage's reply channel, once; resolves when replies will be heard, so
   * that a request is only stored once its reply cannot be missed. Rejects when the subscription
   * fails; the next request tries again.
   */
  ready(): Promise<void> {
    return this.#replySubscription().ready();
  }

  /** Where a received request's outcome goes: its requester's reply channel. */
  requester(decoded: DecodedEntry): RemoteRequester {
    const send = (reply: RemoteReply): void => {
      if (this.#link.state === 'closed' || decoded.replyTo === undefined) return;
      let text: string;
      try {
        text = encodeReply(decoded.id, reply, this.#serializer);
      } catch (error) {
        text = encodeReply(decoded.id, { ok: false, error }, this.#serializer);
      }
      this.#operations
        .track(this.#link.commands.publish(decoded.replyTo, text))
        .catch((error: unknown) => this.#link.report(`reply to request ${decoded.id}`, error));
    };
    return {
      expiresAt: decoded.expiresAt,
      reply: (value) => send({ ok: true, value }),
      refuse: (error) => send({ ok: false, error }),
    };
  }

  #replySubscription(): ReplySubscription {
    const { host, keys } = this.#link;
    return (this.#subscription ??= new ReplySubscription(
      () => this.#connections.subscriber,
      keys.replies,
      (text) => {
        try {
          const decoded = decodeReply(text, this.#serializer, host.name);
          if (decoded !== undefined) host.replied(decoded.id, decoded.reply);
        } catch (error) {
          this.#link.report('read a reply', error);
        }
      },
    ));
  }
}
