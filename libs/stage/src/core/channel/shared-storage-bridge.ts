import type { ChannelBasis } from './channel-basis.js';
import type { ChannelEmitter } from './channel-emitter.js';
import type { ChannelLedger } from './channel-ledger.js';
import type { ChannelState } from './channel-state.js';
import type {
  ChannelStorageHost,
  IncomingMessage,
  RemoteReply,
  SharedChannelStorage,
  StoredMessage,
} from './channel-storage.js';
import { Envelope, Sender, type EnvelopeOwner } from './envelope.js';
import type { MessageEndings } from './message-endings.js';
import type { MessageId } from './message-id.js';
import { ChannelClosedError } from '../errors/channel-closed-error.js';

/** The channel a shared storage's bridge serves, as the bridge sees it. */
export interface BridgedChannel<TMessage, TReply> extends EnvelopeOwner<TMessage, TReply> {
  /** Where the channel is in its life: the storage stops reading from `closing` on. */
  readonly state: ChannelState;
  /** How many of its consumers wait for a message right now. */
  readonly waitingConsumers: number;
  /** Messages are ready in storage: hands them to waiting consumers, if any wait. */
  ready(): void;
  /** A message ended outside any delivery: ends the close if it was the last one pending. */
  checkDrained(): void;
  /** The shared backlog may have shrunk: lets waiting senders try again. */
  roomFreed(): void;
}

/** What a shared-storage bridge works with, beyond the {@link ChannelBasis}. */
export interface SharedStorageBridgeParts<TMessage, TReply> {
  readonly channel: BridgedChannel<TMessage, TReply>;
  readonly shared: SharedChannelStorage<TMessage>;
  /** The prefix of the channel's ids, for the records of entries read from the shared store. */
  readonly idPrefix: string;
  readonly endings: MessageEndings<TMessage, TReply>;
}

/**
 * Where a channel meets a storage shared between processes (see {@link SharedChannelStorage}): the
 * storage's host, and the bookkeeping of what this process waits to hear from the server. Made
 * only for a shared storage; in memory a channel has none. Internal to channels.
 *
 * - **Sends** are handed to the server ({@link publish}) and stay counted `buffered` until it
 *   confirms them (`published`, and a waiting send resolves) or fails to (`withdrawn`, the sender
 *   rejected with the storage's error).
 * - **Entries** read from the shared store, this process's sends included, arrive through
 *   `receive` and count as `received`.
 * - **Replies** to requests sent from here arrive through `replied`, from whichever replica
 *   handled them.
 *
 * **Cancellation.** A sender that gives up before the server answered is forgotten here
 * ({@link senderGaveUp}): the late confirmation and the late reply are ignored (reported as
 * `late-reply-ignored`), while a replica may still handle the message.
 *
 * **Close.** From `closing` on the storage stops reading; once closed, the requests still waiting
 * for a reply are rejected with `ChannelClosedError` ({@link refuseAwaiting}). Sends not confirmed
 * yet end when the server answers, and the close report counts them as `unconfirmed`.
 *
 * **Failure.** A background operation of the storage that fails is reported as `storage-failed`;
 * the channel carries on. Every call from the storage is synchronous and never throws.
 */
export class SharedStorageBridge<TMessage, TReply> implements ChannelStorageHost<TMessage> {
  readonly name: string;
  readonly capacity: number;
  readonly #channel: BridgedChannel<TMessage, TReply>;
  readonly #shared: SharedChannelStorage<TMessage>;
  /** Counts `received`, `published`, `duplicates`, and moves sends out of `buffered`. */
  readonly #ledger: ChannelLedger;
  readonly #events: ChannelEmitter;
  readonly #endings: MessageEndings<TMessage, TReply>;
  readonly #idPrefix: string;
  /**
   * Sends handed to the server and not confirmed yet: counted in the ledger's `buffered`
   * (accepted, not ended) but not in the storage's window.
   */
  #unconfirmed = 0;
  /**
   * Requests sent from here whose reply has not come yet, by id. An entry is removed as soon as
   * its sender is answered or gives up, and all of them once the channel has closed.
   */
  readonly #awaiting = new Map<MessageId, Envelope<TMessage, TReply>>();

  constructor(basis: ChannelBasis<TMessage>, parts: SharedStorageBridgeParts<TMessage, TReply>) {
    this.name = basis.name;
    this.capacity = basis.capacity;
    this.#channel = parts.channel;
    this.#shared = parts.shared;
    this.#ledger = basis.ledger;
    this.#events = basis.events;
    this.#endings = parts.endings;
    this.#idPrefix = parts.idPrefix;
    parts.shared.attach(this);
  }

  /** Sends handed to the server and not confirmed yet. */
  get unconfirmed(): number {
    return this.#unconfirmed;
  }

  /**
   * Hands an accepted message (counted `buffered`) to the server; it ends when the server answers.
   * The two callbacks are the price of a round trip to the server, not of the in-memory path.
   */
  publish(envelope: Envelope<TMessage, TReply>): void {
    this.#unconfirmed++;
    if (envelope.isRequest) this.#awaiting.set(envelope.id, envelope);
    let stored: Promise<void>;
    try {
      stored = this.#shared.append(envelope);
    } catch (error) {
      stored = Promise.reject(error);
    }
    stored.then(
      () => this.#confirmed(envelope),
      (error: unknown) => this.#notConfirmed(envelope, error),
    );
  }

  /** A consumer of this process waits and nothing is ready here: the storage fetches entries. */
  demand(): void {
    this.#shared.demand();
  }

  /**
   * The sender of `envelope` gave up before the server answered: its confirmation, if still due,
   * and its reply will be ignored; the caller ends the message.
   */
  senderGaveUp(envelope: Envelope<TMessage, TReply>): void {
    if (envelope.state === 'buffered') this.#unconfirmed--;
    this.#awaiting.delete(envelope.id);
  }

  /** The channel has closed: no reply will be read from here on, so every waiting request fails. */
  refuseAwaiting(): void {
    for (const envelope of this.#awaiting.values()) {
      if (envelope.state === 'published') envelope.state = 'done';
      envelope.rejectSender(new ChannelClosedError(this.name));
    }
    this.#awaiting.clear();
  }

  // ---- The storage's host --------------------------------------------------------------------

  get receiving(): boolean {
    const kind = this.#channel.state.kind;
    return kind === 'open' || kind === 'not-started';
  }

  get waitingConsumers(): number {
    return this.#channel.waitingConsumers;
  }

  receive(incoming: IncomingMessage<TMessage>): StoredMessage<TMessage> {
    const requester = incoming.requester;
    const envelope = new Envelope<TMessage, TReply>(
      this.#idPrefix,
      0,
      incoming.id,
      incoming.body,
      requester !== undefined,
    );
    envelope.failures = incoming.failures;
    envelope.state = 'buffered';
    if (requester !== undefined) {
      const sender = new Sender(this.#channel, envelope);
      sender.resolveReply = (reply) => requester.reply(reply);
      sender.reject = (reason) => requester.refuse(reason);
      sender.expiresAt = requester.expiresAt;
      envelope.sender = sender;
    }
    this.#ledger.received++;
    this.#ledger.buffered++;
    return envelope;
  }

  ready(): void {
    this.#channel.ready();
  }

  replied(id: MessageId, reply: RemoteReply): void {
    const envelope = this.#awaiting.get(id);
    if (envelope === undefined) {
      if (this.#events.active) {
        this.#events.emit({ type: 'late-reply-ignored', channel: this.name, id });
      }
      return;
    }
    this.#awaiting.delete(id);
    // The reply may overtake the server's confirmation of the request itself.
    if (envelope.state === 'buffered') this.#confirmed(envelope);
    envelope.state = 'done';
    if (!reply.ok) {
      envelope.rejectSender(reply.error);
      return;
    }
    envelope.resolveReply(reply.value as TReply);
  }

  settledElsewhere(message: StoredMessage<TMessage>, ending: 'handled' | 'dead-lettered'): void {
    this.#ledger.duplicates++;
    if (ending === 'dead-lettered') {
      // No dead letter was recorded: another replica had handled (or dead-lettered) it first.
      this.#ledger.deadLettered--;
      this.#ledger.handled++;
    }
    if (this.#events.active) {
      this.#events.emit({ type: 'duplicate', channel: this.name, id: message.id });
    }
  }

  roomFreed(): void {
    this.#channel.roomFreed();
  }

  transportFailed(error: unknown): void {
    this.#events.storageFailed(error);
  }

  /** The server has the message: it ends here as `published` (a request waits for its reply). */
  #confirmed(envelope: Envelope<TMessage, TReply>): void {
    if (envelope.state !== 'buffered') return;
    this.#unconfirmed--;
    this.#ledger.buffered--;
    this.#ledger.published++;
    if (!envelope.isRequest) {
      envelope.state = 'done';
      envelope.resolveSend();
    } else {
      envelope.state = envelope.sender === undefined ? 'done' : 'published';
    }
    this.#channel.checkDrained();
  }

  /** The server failed to store the message: it ends `withdrawn`, its sender told why. */
  #notConfirmed(envelope: Envelope<TMessage, TReply>, error: unknown): void {
    if (envelope.state !== 'buffered') return;
    this.#unconfirmed--;
    this.#ledger.buffered--;
    this.#awaiting.delete(envelope.id);
    this.#endings.withdraw(envelope, error);
    this.#channel.checkDrained();
  }
}
