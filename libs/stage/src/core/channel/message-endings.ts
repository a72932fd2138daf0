import type { ChannelBasis } from './channel-basis.js';
import type { ChannelEmitter } from './channel-emitter.js';
import type { ChannelLedger } from './channel-ledger.js';
import { isSharedStorage, type ChannelStorage } from './channel-storage.js';
import type { DeadLetter } from './dead-letter.js';
import type { Envelope } from './envelope.js';
import { ChannelClosedError } from '../errors/channel-closed-error.js';
import { ChannelFullError } from '../errors/channel-full-error.js';
import { ClosedBeforeDeliveryError } from '../errors/closed-before-delivery-error.js';
import { DeadLetteredError } from '../errors/dead-lettered-error.js';

/** Where a message left over at close went. */
export type LeftOver = 'returned' | 'dead-lettered' | 'stored';

/**
 * The ways an accepted message ends in a channel, each counted once in the ledger: handled,
 * withdrawn, dead-lettered, dropped, or left in durable storage at close. (The shared-storage
 * bridge counts the last way, `published`, itself.) Internal to channels.
 *
 * Every method is called exactly once per message, after the caller has taken the message out of
 * its gauge (`buffered`, `inFlight` or `delayed`, see {@link ChannelLedger}): it adds one to the
 * ending's counter, marks the message `done`, lets storage forget it, answers its sender if one
 * still waits, and reports the ending to the channel's listeners. The sender is answered before
 * the event, so that a listener sees the message ended.
 *
 * Nothing here waits, restarts or is cancelled: a message ends synchronously. A listener that
 * throws is reported as `hook-failed` by the emitter and changes nothing; a storage that throws
 * leaves the message counted as ended and the error to the caller.
 */
export class MessageEndings<TMessage, TReply> {
  readonly #name: string;
  readonly #capacity: number;
  readonly #storage: ChannelStorage<TMessage>;
  /** The counters incremented here; the caller has already decremented the message's gauge. */
  readonly #ledger: ChannelLedger;
  readonly #events: ChannelEmitter;
  /** Whether the storage is shared: a request left over at close then stays for a replica. */
  readonly #shared: boolean;

  constructor(basis: ChannelBasis<TMessage>) {
    this.#name = basis.name;
    this.#capacity = basis.capacity;
    this.#storage = basis.storage;
    this.#ledger = basis.ledger;
    this.#events = basis.events;
    this.#shared = isSharedStorage(basis.storage);
  }

  /** A delivery succeeded: a request's sender gets `reply`; one nobody waits for is reported. */
  handled(envelope: Envelope<TMessage, TReply>, reply: TReply): void {
    this.#ledger.handled++;
    envelope.state = 'done';
    this.#storage.settle(envelope);
    if (envelope.isRequest && !envelope.resolveReply(reply)) this.#lateReply(envelope);
  }

  /** A request was handled after its sender stopped waiting: its reply is ignored, and reported. */
  #lateReply(envelope: Envelope<TMessage, TReply>): void {
    if (!this.#events.active) return;
    this.#events.emit({ type: 'late-reply-ignored', channel: this.#name, id: envelope.id });
  }

  /**
   * Returns a message to its sender as an error (`reason`), or to nobody if the sender has gone;
   * `error` is the failure of the delivery that ended it, when one did.
   */
  withdraw(envelope: Envelope<TMessage, TReply>, reason: unknown, error?: Error): void {
    this.#ledger.withdrawn++;
    envelope.state = 'done';
    this.#storage.settle(envelope);
    const told = envelope.sender !== undefined;
    envelope.rejectSender(reason);
    if (this.#events.active) {
      this.#events.emit({
        type: 'withdrawn',
        channel: this.#name,
        id: envelope.id,
        reason: told ? reason : undefined,
        ...(error === undefined ? {} : { error }),
      });
    }
  }

  /**
   * Dead-letters a message with the error of its last delivery; its sender, if one still waits,
   * is rejected with a `DeadLetteredError`. A dead letter evicted to make room is counted and
   * reported too.
   */
  deadLetter(envelope: Envelope<TMessage, TReply>, error: Error): void {
    this.#ledger.deadLettered++;
    envelope.state = 'done';
    const letter: DeadLetter<TMessage> = {
      id: envelope.id,
      body: envelope.body,
      deliveryCount: envelope.failures,
      error,
      at: Date.now(),
    };
    const evicted = this.#storage.addDeadLetter(letter, envelope);
    if (envelope.sender !== undefined) {
      envelope.rejectSender(
        new DeadLetteredError(this.#name, envelope.id, envelope.failures, error),
      );
    }
    if (evicted !== undefined) this.#ledger.deadLettersEvicted++;
    if (this.#events.active) {
      this.#events.emit({ type: 'dead-lettered', channel: this.#name, letter });
      if (evicted !== undefined) {
        this.#events.emit({ type: 'dead-letter-evicted', channel: this.#name, letter: evicted });
      }
    }
  }

  /** Drops a message by a drop overflow mode: a dropped request is rejected, a send resolves. */
  drop(envelope: Envelope<TMessage, TReply>, overflow: 'drop-oldest' | 'drop-newest'): void {
    this.#ledger.dropped++;
    envelope.state = 'done';
    this.#storage.settle(envelope);
    if (envelope.isRequest) {
      envelope.rejectSender(new ChannelFullError(this.#name, this.#capacity, overflow));
    } else {
      envelope.resolveSend();
    }
    if (this.#events.active) {
      this.#events.emit({ type: 'dropped', channel: this.#name, id: envelope.id, overflow });
    }
  }

  /**
   * Ends a message the closed channel can no longer deliver: a request goes back to its sender
   * (`ChannelClosedError`), a durable storage keeps the message, and a volatile one has it
   * dead-lettered (`ClosedBeforeDeliveryError`). Returns where it went.
   */
  leaveOver(envelope: Envelope<TMessage, TReply>): LeftOver {
    // A request received through a shared storage stays stored: its requester waits elsewhere,
    // and another replica can take it and reply.
    if (envelope.isRequest && !this.#shared) {
      this.withdraw(envelope, new ChannelClosedError(this.#name));
      return 'returned';
    }
    if (this.#storage.durable) {
      this.#ledger.stored++;
      envelope.state = 'done';
      return 'stored';
    }
    this.deadLetter(
      envelope,
      new ClosedBeforeDeliveryError(this.#name, envelope.id, envelope.lastError),
    );
    return 'dead-lettered';
  }
}
