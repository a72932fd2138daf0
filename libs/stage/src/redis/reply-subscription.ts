import type { Redis } from 'ioredis';

/**
 * The subscription on which one storage hears the replies to its requests: one pub/sub channel per
 * requester, subscribed on first use. A request is only stored once its requester listens, so
 * that a fast reply cannot be missed. Internal.
 *
 * Pub/sub is fire-and-forget: a reply published while the subscriber's connection is down is
 * lost, and that request ends with its own timeout (the handling itself is not lost).
 */
export class ReplySubscription {
  /** Resolves once subscribed; reset after a failure, so that the next request tries again. */
  #subscribed: Promise<void> | undefined = undefined;
  /** Set once `#subscribed` has resolved: replies are heard. */
  #heard = false;
  /** Set once the message listener is on the connection (it survives resubscriptions). */
  #listening = false;
  /** The subscriber connection (made on first use). */
  readonly #connect: () => Redis;
  /** The pub/sub channel. */
  readonly #key: string;
  /** Called with each message published on it. */
  readonly #onMessage: (text: string) => void;

  constructor(connect: () => Redis, key: string, onMessage: (text: string) => void) {
    this.#connect = connect;
    this.#key = key;
    this.#onMessage = onMessage;
  }

  /** Whether replies are heard already, so that a request need not wait for {@link ready}. */
  get subscribed(): boolean {
    return this.#heard;
  }

  /** Subscribes, once; resolves when replies will be heard. */
  ready(): Promise<void> {
    if (this.#subscribed !== undefined) return this.#subscribed;
    const subscriber = this.#connect();
    if (!this.#listening) {
      this.#listening = true;
      subscriber.on('message', (channel: string, text: string) => {
        if (channel === this.#key) this.#onMessage(text);
      });
    }
    const subscribed = subscriber.subscribe(this.#key).then(() => undefined);
    subscribed.then(
      () => {
        if (this.#subscribed === subscribed) this.#heard = true;
      },
      () => {
        if (this.#subscribed === subscribed) this.#subscribed = undefined;
      },
    );
    this.#subscribed = subscribed;
    return subscribed;
  }
}
