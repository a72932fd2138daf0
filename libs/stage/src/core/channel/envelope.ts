import type { AbortFanOut, AbortFollower } from './abort-fan-out.js';
import { Redelivery, type ChannelDelivery } from './channel-delivery.js';
import type { StoredMessage } from './channel-storage.js';
import type { QueueLinks } from './linked-queue.js';
import { formatMessageId } from './message-id.js';
import type { MessageId } from './message-id.js';
import type { RunLease } from './run-lease.js';
import { toError } from '../errors/thrown-value-error.js';
import { anchorShape } from '../util/shape-anchor.js';

/**
 * Where a message is:
 * - `waiting`: its sender waits for room; not accepted yet, so not in the ledger.
 * - `buffered`: accepted and in storage, ready to take.
 * - `in-flight`: a task holds it, through exactly one unsettled delivery.
 * - `delayed`: waiting out its redelivery delay (see `timer`).
 * - `published`: a request handed to a shared storage and confirmed; its sender waits for the
 *   reply from whichever replica handles it.
 * - `done`: it has ended (handled, dead-lettered, dropped, withdrawn, stored, published) or was
 *   refused.
 */
export type EnvelopeState = 'waiting' | 'buffered' | 'in-flight' | 'delayed' | 'published' | 'done';

/** The channel a message belongs to, as its sender sees it. */
export interface EnvelopeOwner<TMessage, TReply> {
  /** Where senders follow their signals: one listener per signal, however many wait on it. */
  readonly aborts: AbortFanOut;
  /** A sender's signal fired while it waited to hear about `envelope`. */
  senderAborted(envelope: Envelope<TMessage, TReply>): void;
}

/**
 * The sender of a message while it still waits to hear about it: for room (a send), or for a
 * reply (a request). Made only for those two cases, so that a send accepted at once costs one
 * object. It follows its signal itself (through the channel's `AbortFanOut`), so that no closure
 * is made per message.
 */
export class Sender<TMessage, TReply> implements AbortFollower {
  /** Resolves a waiting send with the id once accepted. */
  resolveId: ((id: MessageId) => void) | undefined = undefined;
  /** Resolves a request with its reply. */
  resolveReply: ((reply: TReply) => void) | undefined = undefined;
  /** Rejects the sender. */
  reject: ((reason: unknown) => void) | undefined = undefined;
  /** The sender's signal, followed (through the channel's `AbortFanOut`) while set. */
  signal: AbortSignal | undefined = undefined;
  /** The request's timeout timer, armed only when a timeout was asked for. */
  timeout: NodeJS.Timeout | undefined = undefined;
  /**
   * When a request's sender stops waiting (ms since the epoch), set only on a shared storage,
   * where it travels with the request so that a replica does not handle an expired one.
   */
  expiresAt: number | undefined = undefined;

  constructor(
    readonly owner: EnvelopeOwner<TMessage, TReply>,
    readonly envelope: Envelope<TMessage, TReply>,
  ) {}

  /** Follows `signal` on the sender's behalf until {@link unfollow} or {@link release}. */
  follow(signal: AbortSignal): void {
    this.signal = signal;
    this.owner.aborts.follow(signal, this);
  }

  /** Stops following the sender's signal, if it was followed. */
  unfollow(): void {
    const signal = this.signal;
    if (signal === undefined) return;
    this.signal = undefined;
    this.owner.aborts.unfollow(signal, this);
  }

  /** Stops waiting on the sender's behalf: disarms its timeout and unfollows its signal. */
  release(): void {
    if (this.timeout !== undefined) {
      clearTimeout(this.timeout);
      this.timeout = undefined;
    }
    this.unfollow();
  }

  /** The sender's signal fired. */
  signalAborted(): void {
    this.owner.senderAborted(this.envelope);
  }
}

/**
 * A channel's record of one message, from its send to its end: the message as storage holds it,
 * where it is, and who waits to hear about it. One object per message, reused by every delivery,
 * kept small because a full buffer holds a thousand of them. Internal to channels.
 *
 * It is also the message's first delivery (see {@link ChannelDelivery}): the common message,
 * delivered once, costs this one object.
 */
export class Envelope<TMessage, TReply>
  implements
    StoredMessage<TMessage>,
    QueueLinks<Envelope<TMessage, TReply>>,
    ChannelDelivery<TMessage, TReply>
{
  failures = 0;
  state: EnvelopeState = 'waiting';
  /** The last failed delivery's error. */
  lastError: Error | undefined = undefined;
  /**
   * The redelivery timer while `delayed`; while `in-flight` in handler mode, the handler's
   * deadline, cleared when the delivery settles. Unset otherwise.
   */
  timer: NodeJS.Timeout | undefined = undefined;
  /**
   * Set while a sender still waits to hear about this message, cleared the moment it is
   * answered, so that a sender is answered exactly once.
   */
  sender: Sender<TMessage, TReply> | undefined = undefined;
  queuePrev: Envelope<TMessage, TReply> | undefined = undefined;
  queueNext: Envelope<TMessage, TReply> | undefined = undefined;
  queued = false;
  /** As its first delivery: whether that delivery has been settled. */
  settled = false;

  /** The run its first delivery was handed to; set then, and kept. */
  #firstLease: RunLease<TMessage, TReply> | undefined = undefined;
  /** The id, once spelled out (or given, for a replay). */
  #id: MessageId | undefined;

  constructor(
    /** The prefix of the channel's ids. */
    readonly idPrefix: string,
    /** The message's number in its channel, or 0 when the id was given. */
    readonly sequence: number,
    id: MessageId | undefined,
    readonly body: TMessage,
    /** Whether the sender waits for a reply. */
    readonly isRequest: boolean,
  ) {
    this.#id = id;
  }

  /** The message's stable id, spelled out on first read. */
  get id(): MessageId {
    return (this.#id ??= formatMessageId(this.idPrefix, this.sequence));
  }

  /** When a request's sender stops waiting (shared storages only; see `Sender.expiresAt`). */
  get expiresAt(): number | undefined {
    return this.sender?.expiresAt;
  }

  /**
   * Hands the message to `lease`: as itself for its first delivery, as a {@link Redelivery} for
   * any later one (or for a message that arrived with failed deliveries already counted).
   */
  deliverTo(lease: RunLease<TMessage, TReply>): ChannelDelivery<TMessage, TReply> {
    if (this.#firstLease !== undefined || this.failures !== 0) {
      return new Redelivery(this, lease, this.failures + 1);
    }
    this.#firstLease = lease;
    return this;
  }

  // ---- Answering its sender: at most once, since each answer clears `sender` first -----------

  /** Resolves a waiting send with the message's id, if its sender still waits. */
  resolveSend(): void {
    const sender = this.sender;
    if (sender === undefined) return;
    this.sender = undefined;
    sender.release();
    sender.resolveId?.(this.id);
  }

  /** Resolves a request with `reply`; returns false, doing nothing, when nobody waits for it. */
  resolveReply(reply: TReply): boolean {
    const sender = this.sender;
    const resolve = sender?.resolveReply;
    if (sender === undefined || resolve === undefined) return false;
    this.sender = undefined;
    sender.release();
    resolve(reply);
    return true;
  }

  /** Rejects the sender (of a send or a request) with `reason`, if it still waits. */
  rejectSender(reason: unknown): void {
    const sender = this.sender;
    if (sender === undefined) return;
    this.sender = undefined;
    sender.release();
    sender.reject?.(reason);
  }

  // ---- As its first delivery (read only once `deliverTo` returned the envelope itself) --------

  get envelope(): this {
    return this;
  }

  get lease(): RunLease<TMessage, TReply> {
    return this.#firstLease!;
  }

  get deliveryCount(): number {
    return 1;
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

// A message's objects are made per send and per redelivery: their shapes must outlive an idle
// channel (see `anchorShape`).
const anchorEnvelope = anchorShape(new Envelope<unknown, unknown>('', 0, undefined, 0, false));
anchorShape(new Sender<unknown, unknown>({} as EnvelopeOwner<unknown, unknown>, anchorEnvelope));
anchorShape(new Redelivery(anchorEnvelope, {} as RunLease<unknown, unknown>, 2));
