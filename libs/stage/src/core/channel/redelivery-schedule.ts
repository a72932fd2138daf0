import type { Backoff } from '../backoff/backoff.js';
import type { ChannelBasis } from './channel-basis.js';
import type { ChannelEmitter } from './channel-emitter.js';
import type { ChannelLedger } from './channel-ledger.js';
import type { ChannelStorage } from './channel-storage.js';
import type { Envelope } from './envelope.js';
import { LinkedQueue } from './linked-queue.js';

/** The channel a redelivery schedule puts messages back into. */
export interface RedeliveryOwner {
  /** Messages are ready in storage: hands them to waiting consumers, if any wait. */
  ready(): void;
}

/**
 * When a message whose delivery did not succeed goes back into its channel: at the front at once
 * after a stop, at the back after its redelivery delay after a failure. Holds the messages waiting
 * out their delay (the ledger's `delayed` term, see {@link ChannelLedger}). Internal to channels.
 *
 * **Restart.** A message put back is handed to the next consumer that takes, whichever run it
 * belongs to: a restarted task finds the message it held first in line after a stop, or after its
 * delay after a failure.
 *
 * **Cancellation.** A delayed request whose sender gives up leaves through {@link cancel}; at
 * close the drain takes what is left through {@link takeNext}. Either disarms the timer, so that
 * no timer outlives the message it was armed for.
 *
 * **Failure.** A backoff `random` source that throws is reported as `hook-failed` and the shortest
 * wait is used; the message is redelivered all the same.
 */
export class RedeliverySchedule<TMessage, TReply> {
  readonly #owner: RedeliveryOwner;
  readonly #name: string;
  readonly #storage: ChannelStorage<TMessage>;
  /** Counts each put-back (`redeliveries`) and moves messages back into `buffered`. */
  readonly #ledger: ChannelLedger;
  readonly #events: ChannelEmitter;
  /** The wait before a redelivery, by the number of failed deliveries. */
  readonly #backoff: Backoff;
  /**
   * Messages waiting out their delay, each `delayed` with its timer armed in `timer`; a message is
   * here exactly while its state is `delayed`.
   */
  readonly #delayed = new LinkedQueue<Envelope<TMessage, TReply>>();

  constructor(basis: ChannelBasis<TMessage>, backoff: Backoff, owner: RedeliveryOwner) {
    this.#owner = owner;
    this.#name = basis.name;
    this.#storage = basis.storage;
    this.#ledger = basis.ledger;
    this.#events = basis.events;
    this.#backoff = backoff;
  }

  /** How many messages wait out their delay. */
  get length(): number {
    return this.#delayed.length;
  }

  /**
   * Puts back a message no task holds any more (its caller has taken it out of `inFlight`):
   * interrupted by a stop (`error` undefined), at the front of storage at once; failed, at the
   * back once its delay has passed (at once for a delay of 0). Counts a redelivery, reports it
   * once the message is back in place, then hands it out if it is ready and a consumer waits.
   */
  putBack(envelope: Envelope<TMessage, TReply>, error: Error | undefined): void {
    this.#ledger.redeliveries++;
    let delayMs = 0;
    let randomFailure: { readonly error: unknown } | undefined;
    if (error !== undefined) {
      try {
        delayMs = this.#backoff.delay(envelope.failures);
      } catch (thrown) {
        randomFailure = { error: thrown };
        delayMs = this.#backoff.floor(envelope.failures);
      }
    }
    if (delayMs > 0) {
      envelope.state = 'delayed';
      this.#delayed.push(envelope);
      envelope.timer = setTimeout(redeliveryDue, delayMs, this, envelope);
    } else {
      envelope.state = 'buffered';
      this.#ledger.buffered++;
      if (error === undefined) this.#storage.prepend(envelope);
      else this.#storage.requeue(envelope);
    }
    // Reported once the message is back in place, so that a listener sees a consistent channel.
    if (randomFailure !== undefined) {
      this.#events.hookFailed('redelivery.random', randomFailure.error);
    }
    if (this.#events.active) {
      this.#events.emit({
        type: 'redelivered',
        channel: this.#name,
        id: envelope.id,
        deliveryCount: envelope.failures + 1,
        delayMs,
        error,
      });
    }
    if (delayMs === 0) this.#owner.ready();
  }

  /** A message's delay has passed: it goes back at the back of storage, `delayed` to `buffered`. */
  due(envelope: Envelope<TMessage, TReply>): void {
    envelope.timer = undefined;
    if (envelope.state !== 'delayed') return;
    this.#delayed.remove(envelope);
    envelope.state = 'buffered';
    this.#ledger.buffered++;
    this.#storage.requeue(envelope);
    this.#owner.ready();
  }

  /** Takes a delayed message out before its delay has passed; the caller ends it. */
  cancel(envelope: Envelope<TMessage, TReply>): void {
    clearTimeout(envelope.timer);
    envelope.timer = undefined;
    this.#delayed.remove(envelope);
  }

  /** Takes out the oldest delayed message, timer disarmed, or `undefined`; the caller ends it. */
  takeNext(): Envelope<TMessage, TReply> | undefined {
    const envelope = this.#delayed.shift();
    if (envelope !== undefined) {
      clearTimeout(envelope.timer);
      envelope.timer = undefined;
    }
    return envelope;
  }
}

/** The timer of a delayed message (a shared callback: no closure per message). */
function redeliveryDue<TMessage, TReply>(
  schedule: RedeliverySchedule<TMessage, TReply>,
  envelope: Envelope<TMessage, TReply>,
): void {
  schedule.due(envelope);
}
