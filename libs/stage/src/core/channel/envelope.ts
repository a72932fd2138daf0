import type { StoredMessage } from './channel-storage.js';
import type { QueueLinks } from './linked-queue.js';
import { formatMessageId } from './message-id.js';
import type { MessageId } from './message-id.js';

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

/** What a sender's signal calls back into when it fires. */
export interface EnvelopeOwner<TMessage, TReply> {
  senderAborted(envelope: Envelope<TMessage, TReply>): void;
}

/**
 * The sender of a message while it still waits to hear about it: for room (a send), or for a
 * reply (a request). Made only for those two cases, so that a send accepted at once costs one
 * object. Its own abort listener, so that no closure is made per message.
 */
export class Sender<TMessage, TReply> {
  /** Resolves a waiting send with the id once accepted. */
  resolveId: ((id: MessageId) => void) | undefined = undefined;
  /** Resolves a request with its reply. */
  resolveReply: ((reply: TReply) => void) | undefined = undefined;
  /** Rejects the sender. */
  reject: ((reason: unknown) => void) | undefined = undefined;
  /** The sender's signal, listened to (with this object as listener) while set. */
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

  /** The sender's signal fired. */
  handleEvent(): void {
    this.owner.senderAborted(this.envelope);
  }
}

/**
 * A channel's record of one message, from its send to its end: the message as storage holds it,
 * where it is, and who waits to hear about it. One object per message, reused by every delivery,
 * kept small because a full buffer holds a thousand of them. Internal to channels.
 */
export class Envelope<TMessage, TReply>
  implements StoredMessage<TMessage>, QueueLinks<Envelope<TMessage, TReply>>
{
  failures = 0;
  state: EnvelopeState = 'waiting';
  /** The last failed delivery's error. */
  lastError: Error | undefined = undefined;
  /** The redelivery timer, only while `delayed`. */
  timer: NodeJS.Timeout | undefined = undefined;
  /**
   * Set while a sender still waits to hear about this message, cleared the moment it is
   * answered, so that a sender is answered exactly once.
   */
  sender: Sender<TMessage, TReply> | undefined = undefined;
  queuePrev: Envelope<TMessage, TReply> | undefined = undefined;
  queueNext: Envelope<TMessage, TReply> | undefined = undefined;
  queued = false;

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
}
