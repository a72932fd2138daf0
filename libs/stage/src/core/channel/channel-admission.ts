import type { ChannelBasis } from './channel-basis.js';
import type { ChannelEmitter } from './channel-emitter.js';
import type { ChannelLedger } from './channel-ledger.js';
import type { OverflowMode } from './channel-options.js';
import type { ChannelState } from './channel-state.js';
import { isSharedStorage } from './channel-storage.js';
import type { ChannelStorage, SharedChannelStorage } from './channel-storage.js';
import { Envelope, Sender, type EnvelopeOwner } from './envelope.js';
import { LinkedQueue } from './linked-queue.js';
import type { MessageEndings } from './message-endings.js';
import type { MessageId, MessageIdSource } from './message-id.js';
import type { RedeliverySchedule } from './redelivery-schedule.js';
import type { SharedStorageBridge } from './shared-storage-bridge.js';
import { ChannelClosedError } from '../errors/channel-closed-error.js';
import { ChannelFullError } from '../errors/channel-full-error.js';
import { ChannelNotStartedError } from '../errors/channel-not-started-error.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';

/** The channel messages are admitted into, as its admission sees it. */
export interface AdmissionOwner<TMessage, TReply> extends EnvelopeOwner<TMessage, TReply> {
  /** Where the channel is in its life: nothing is admitted from `closing` on. */
  readonly state: ChannelState;
  /**
   * Takes an admitted message in, counted `accepted` and `buffered`, and stores it (handing it to
   * a waiting consumer) or, on a shared storage, publishes it.
   */
  accept(envelope: Envelope<TMessage, TReply>): void;
  /** A message ended outside any delivery: ends the close if it was the last one pending. */
  checkDrained(): void;
}

/** What a channel's admission works with, beyond the {@link ChannelBasis}. */
export interface AdmissionParts<TMessage, TReply> {
  readonly owner: AdmissionOwner<TMessage, TReply>;
  readonly overflow: OverflowMode;
  /** Numbers the messages sent; its prefix also names the replayed ones. */
  readonly ids: MessageIdSource;
  readonly endings: MessageEndings<TMessage, TReply>;
  /** Where a delayed message is taken out when its sender gives up. */
  readonly redeliveries: Pick<RedeliverySchedule<TMessage, TReply>, 'cancel'>;
  /** On a shared storage, what forgets a message whose sender gave up; `undefined` in memory. */
  readonly bridge: Pick<SharedStorageBridge<TMessage, TReply>, 'senderGaveUp'> | undefined;
}

/**
 * How a message gets into a channel, and what happens when its sender stops waiting: `send`,
 * `trySend`, `request` and dead-letter replays. A message gets in at once while there is room and
 * no sender waits before it; otherwise the overflow mode decides: wait for room (in order, woken
 * by batches), refuse, or drop the newest or the oldest message. Internal to channels; `Channel`
 * documents what callers see.
 *
 * **Cancellation.** A sender follows its signal through the channel's `AbortFanOut` (no closure
 * per message), and a request's timeout is a timer with a shared callback; both are disarmed once
 * the sender is answered. When either fires first, {@link giveUp} withdraws the message wherever
 * it waits, unless a task holds it.
 *
 * **Close.** From `close()` on, every entry refuses at once with `ChannelClosedError`, and so do
 * the senders waiting at that moment ({@link refuseWaiting}).
 *
 * **Restart** does not concern admission: messages wait in the channel, not in its consumers.
 *
 * **Failure.** Nothing here throws but `trySend` and `replay` on a closed channel; the promises
 * reject with the errors `Channel` documents.
 */
export class ChannelAdmission<TMessage, TReply> {
  readonly #owner: AdmissionOwner<TMessage, TReply>;
  readonly #name: string;
  readonly #capacity: number;
  readonly #overflow: OverflowMode;
  readonly #storage: ChannelStorage<TMessage>;
  /** The storage again when it is shared between processes; `undefined` in memory. */
  readonly #shared: SharedChannelStorage<TMessage> | undefined;
  /**
   * Read for the buffer's load. Counts `replayed`, and `accepted` only for a message dropped on
   * arrival (the owner's `accept` counts the others); a message given up or dropped while buffered
   * leaves `buffered` here before it ends.
   */
  readonly #ledger: ChannelLedger;
  readonly #events: ChannelEmitter;
  readonly #ids: MessageIdSource;
  readonly #endings: MessageEndings<TMessage, TReply>;
  readonly #redeliveries: AdmissionParts<TMessage, TReply>['redeliveries'];
  readonly #bridge: AdmissionParts<TMessage, TReply>['bridge'];
  /**
   * Waiting senders are let in once the buffer holds this many messages or fewer: a batch below
   * capacity, so that a producer outpacing its consumers wakes once per batch, not per message.
   */
  readonly #refillAt: number;
  /**
   * Senders waiting for room, in arrival order, each `waiting` and not yet in the ledger: only in
   * `wait` mode, once started, and none once the channel is closing.
   */
  readonly #senders = new LinkedQueue<Envelope<TMessage, TReply>>();

  constructor(basis: ChannelBasis<TMessage>, parts: AdmissionParts<TMessage, TReply>) {
    this.#owner = parts.owner;
    this.#name = basis.name;
    this.#capacity = basis.capacity;
    this.#overflow = parts.overflow;
    this.#storage = basis.storage;
    this.#shared = isSharedStorage(basis.storage) ? basis.storage : undefined;
    this.#ledger = basis.ledger;
    this.#events = basis.events;
    this.#ids = parts.ids;
    this.#endings = parts.endings;
    this.#redeliveries = parts.redeliveries;
    this.#bridge = parts.bridge;
    this.#refillAt = basis.capacity - Math.max(1, Math.floor(basis.capacity / 8));
  }

  /** How many senders wait for room. */
  get waiting(): number {
    return this.#senders.length;
  }

  /**
   * Sends a one-way message; resolves with its id once accepted (in memory) or confirmed by the
   * server (shared storage).
   */
  send(body: TMessage, signal: AbortSignal | undefined): Promise<MessageId> {
    const refusal = this.#refusal(signal);
    if (refusal !== undefined) return refusal;
    const envelope = this.#envelope(body, false);
    if (this.#shared === undefined && this.#hasRoom()) {
      this.#owner.accept(envelope);
      return Promise.resolve(envelope.id);
    }
    // Waits for room, or (shared storage) for the server to confirm the message.
    const sender = new Sender(this.#owner, envelope);
    envelope.sender = sender;
    return new Promise<MessageId>((resolve, reject) => {
      sender.resolveId = resolve;
      sender.reject = reject;
      if (this.#hasRoom()) this.#owner.accept(envelope);
      else this.#whenFull(envelope, signal);
    });
  }

  /**
   * Accepts a message at once if that needs no waiting and returns true; returns false, accepting
   * nothing, when the channel is full and its overflow mode would not take the message at once
   * (`wait`, `reject`). Drop modes apply as in `send`. On a shared storage nothing is accepted
   * at once (the server must confirm it), so only a drop mode returns true.
   */
  trySend(body: TMessage): boolean {
    const state = this.#owner.state;
    if (state.kind === 'closing' || state.kind === 'closed') {
      throw new ChannelClosedError(this.#name);
    }
    const hasRoom = this.#hasRoom();
    if (!hasRoom && (this.#overflow === 'wait' || this.#overflow === 'reject')) return false;
    if (hasRoom && this.#shared !== undefined) return false;
    const envelope = this.#envelope(body, false);
    if (hasRoom) this.#owner.accept(envelope);
    else this.#whenFull(envelope, undefined);
    return true;
  }

  /** Sends a request; resolves with its reply, or rejects as `Channel.request` documents. */
  request(
    body: TMessage,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<TReply> {
    const refusal = this.#refusal(signal);
    if (refusal !== undefined) return refusal;
    const envelope = this.#envelope(body, true);
    const sender = new Sender(this.#owner, envelope);
    envelope.sender = sender;
    const reply = new Promise<TReply>((resolve, reject) => {
      sender.resolveReply = resolve;
      sender.reject = reject;
    });
    if (signal !== undefined) sender.follow(signal);
    if (timeoutMs !== undefined) {
      sender.timeout = setTimeout(requestTimedOut, timeoutMs, this, envelope, timeoutMs);
      if (this.#shared !== undefined) sender.expiresAt = Date.now() + timeoutMs;
    }
    if (this.#hasRoom()) this.#owner.accept(envelope);
    else this.#whenFull(envelope, undefined);
    return reply;
  }

  /**
   * Accepts dead letters again (those with the given ids, or all) as one-way messages with their
   * ids kept, past capacity if need be; returns the ids replayed.
   *
   * @throws ChannelClosedError once the channel is closing.
   */
  replay(ids: readonly MessageId[] | undefined): readonly MessageId[] {
    const state = this.#owner.state;
    if (state.kind === 'closing' || state.kind === 'closed') {
      throw new ChannelClosedError(this.#name);
    }
    const replayed: MessageId[] = [];
    for (const letter of this.#storage.takeDeadLetters(ids)) {
      this.#ledger.replayed++;
      this.#owner.accept(
        new Envelope<TMessage, TReply>(this.#ids.prefix, 0, letter.id, letter.body, false),
      );
      replayed.push(letter.id);
    }
    if (replayed.length > 0 && this.#events.active) {
      this.#events.emit({ type: 'replayed', channel: this.#name, ids: replayed });
    }
    return replayed;
  }

  /** Lets waiting senders in, oldest first, while there is room. */
  admit(): void {
    while (this.#senders.length > 0 && this.#load() < this.#capacity) {
      const envelope = this.#senders.shift() as Envelope<TMessage, TReply>;
      // Once in, a send can no longer be taken back by its signal; a request can, until replied.
      if (!envelope.isRequest) envelope.sender?.unfollow();
      this.#owner.accept(envelope);
      if (!envelope.isRequest && this.#shared === undefined) envelope.resolveSend();
    }
  }

  /**
   * A message left the buffer: lets waiting senders in if the buffer has drained to the refill
   * mark (a batch, not one message at a time).
   */
  refill(): void {
    if (this.#senders.length > 0 && this.#ledger.buffered <= this.#refillAt) this.admit();
  }

  /** A request's timeout passed before its sender heard about it. */
  requestTimedOut(envelope: Envelope<TMessage, TReply>, timeoutMs: number): void {
    if (envelope.sender !== undefined) envelope.sender.timeout = undefined;
    const id = envelope.state === 'waiting' ? undefined : envelope.id;
    this.giveUp(envelope, new RequestTimeoutError(this.#name, timeoutMs, id));
  }

  /**
   * The sender stopped waiting (abort or timeout) and is rejected with `reason`. A message not in
   * a task's hands is withdrawn (a waiting one was never accepted); one in a task's hands stays
   * there, and its late reply will be ignored.
   */
  giveUp(envelope: Envelope<TMessage, TReply>, reason: unknown): void {
    if (envelope.sender === undefined) return;
    switch (envelope.state) {
      case 'waiting':
        this.#senders.remove(envelope);
        envelope.state = 'done';
        envelope.rejectSender(reason);
        return;
      case 'buffered':
        this.#storage.remove(envelope);
        this.#ledger.buffered--;
        // Not confirmed yet by a shared storage: the server may still store it, and a replica
        // handle it; its reply will be ignored.
        this.#bridge?.senderGaveUp(envelope);
        this.#endings.withdraw(envelope, reason);
        this.refill();
        break;
      case 'delayed':
        this.#redeliveries.cancel(envelope);
        this.#endings.withdraw(envelope, reason);
        break;
      case 'published':
        this.#bridge?.senderGaveUp(envelope);
        envelope.state = 'done';
        envelope.rejectSender(reason);
        return;
      default:
        envelope.rejectSender(reason);
        return;
    }
    this.#owner.checkDrained();
  }

  /** The channel is closing: every waiting sender is rejected with `ChannelClosedError`. */
  refuseWaiting(): void {
    for (let sender = this.#senders.shift(); sender !== undefined; sender = this.#senders.shift()) {
      sender.state = 'done';
      sender.rejectSender(new ChannelClosedError(this.#name));
    }
  }

  /**
   * How many accepted messages wait for a consumer, as capacity counts them: the buffer in memory,
   * the shared store's estimated backlog on a shared storage.
   */
  #load(): number {
    return this.#shared === undefined ? this.#ledger.buffered : this.#shared.backlog;
  }

  /** Whether a new message gets in at once: room in the buffer and no sender waiting before it. */
  #hasRoom(): boolean {
    return this.#load() < this.#capacity && this.#senders.length === 0;
  }

  /** A new message record, numbered; its id is spelled out only if read. */
  #envelope(body: TMessage, isRequest: boolean): Envelope<TMessage, TReply> {
    return new Envelope(this.#ids.prefix, this.#ids.next(), undefined, body, isRequest);
  }

  /** A rejection for a send that cannot even start: closed channel, or signal already aborted. */
  #refusal(signal: AbortSignal | undefined): Promise<never> | undefined {
    const state = this.#owner.state;
    if (state.kind === 'closing' || state.kind === 'closed') {
      return Promise.reject(new ChannelClosedError(this.#name));
    }
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    return undefined;
  }

  /** Applies the overflow mode to a message that found the channel full (or senders queued). */
  #whenFull(envelope: Envelope<TMessage, TReply>, signal: AbortSignal | undefined): void {
    switch (this.#overflow) {
      case 'wait':
        if (this.#owner.state.kind === 'not-started') {
          envelope.state = 'done';
          envelope.rejectSender(new ChannelNotStartedError(this.#name, this.#capacity));
          return;
        }
        envelope.state = 'waiting';
        this.#senders.push(envelope);
        if (signal !== undefined) envelope.sender?.follow(signal);
        return;
      case 'reject':
        envelope.state = 'done';
        envelope.rejectSender(new ChannelFullError(this.#name, this.#capacity, this.#overflow));
        return;
      case 'drop-newest':
        this.#ledger.accepted++;
        this.#endings.drop(envelope, 'drop-newest');
        return;
      case 'drop-oldest': {
        const oldest = this.#storage.takeNext() as Envelope<TMessage, TReply> | undefined;
        if (oldest !== undefined) this.#ledger.buffered--;
        // The new message is in before the drop is reported: a listener sees a consistent
        // channel, and a close it makes drains the new message too.
        this.#owner.accept(envelope);
        if (!envelope.isRequest) envelope.resolveSend();
        if (oldest !== undefined) this.#endings.drop(oldest, 'drop-oldest');
        return;
      }
    }
  }
}

/** The timer of a request's timeout (a shared callback: no closure per request). */
function requestTimedOut<TMessage, TReply>(
  admission: ChannelAdmission<TMessage, TReply>,
  envelope: Envelope<TMessage, TReply>,
  timeoutMs: number,
): void {
  admission.requestTimedOut(envelope, timeoutMs);
}
