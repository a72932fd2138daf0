import type { DeadLetter } from './dead-letter.js';
import type { MessageId } from './message-id.js';

/** A message as storage holds it. The channel passes its own objects; storage must keep them. */
export interface StoredMessage<TMessage> {
  /** The message's stable id. */
  readonly id: MessageId;
  /** The message's body. */
  readonly body: TMessage;
  /** The counted deliveries that failed so far; the next delivery is number `failures + 1`. */
  failures: number;
  /** Whether the sender waits for a reply. */
  readonly isRequest: boolean;
  /** For a request with a timeout: when its sender stops waiting, in ms since the epoch. */
  readonly expiresAt: number | undefined;
}

/** What a storage's `close` may report back: what it could not confirm with its server. */
export interface StorageCloseReport {
  /** Settlements (acknowledgements) the storage could not confirm before its close deadline. */
  readonly unacknowledged: number;
}

/**
 * Where a channel keeps its messages: the ready queue and the dead letters. The channel keeps
 * everything that lives in one process: waiting senders and consumers, in-flight bookkeeping,
 * redelivery delays, request replies, the ledger and the events.
 *
 * Calls are synchronous so that the in-memory default stays on the hot path without promises. A
 * transport that talks to a server implements {@link SharedChannelStorage} on top: it confirms
 * each `append` with a promise, keeps a local window of ready messages (for Redis Streams, entries
 * read into this consumer's pending list) and calls the channel back when entries arrive.
 *
 * What a transport must guarantee:
 * - **Identity.** `takeNext` returns the very objects given to `append`, `prepend`, `requeue` or,
 *   for a shared storage, made by the channel's `receive`.
 * - **Order.** Messages appended leave `takeNext` in append order; a prepended one leaves first.
 * - **At least once.** A message taken stays owned by the storage until `settle` is called for it
 *   (for Redis Streams: it stays in the consumer group's pending entries until `XACK`); if the
 *   process dies first, another replica can take it again (`XAUTOCLAIM`), with its `failures`.
 * - **Dead letters** are bounded: when full, `addDeadLetter` evicts the oldest and returns it.
 * - **Durability** is declared by `durable`: a durable storage keeps what is left at `close`
 *   (the channel counts it as `stored`); a volatile one hands it back through `takeNext`, and
 *   the channel returns or dead-letters it.
 *
 * A transport that cannot honour a behaviour across processes (an exact capacity, first-delivery
 * order between replicas) must say so in its docs and its tests.
 */
export interface ChannelStorage<TMessage> {
  /** Whether messages outlive the process: left stored at close instead of being returned. */
  readonly durable: boolean;
  /** How many messages are ready to take (in this process's window). */
  readonly length: number;
  /**
   * Adds a newly accepted message at the back. A {@link SharedChannelStorage} returns a promise
   * that resolves once its server has stored the message; the in-memory storage returns nothing.
   */
  append(message: StoredMessage<TMessage>): void | Promise<void>;
  /** Puts a taken message back at the front (its delivery was interrupted by a stop). */
  prepend(message: StoredMessage<TMessage>): void;
  /** Puts a taken message back at the back (its redelivery delay has passed). */
  requeue(message: StoredMessage<TMessage>): void;
  /** Removes and returns the next ready message, or `undefined` when none is ready. */
  takeNext(): StoredMessage<TMessage> | undefined;
  /** Removes a ready message that will not be delivered ; returns whether it was there. */
  remove(message: StoredMessage<TMessage>): boolean;
  /** Forgets a message that has ended: handled, dropped or withdrawn. */
  settle(message: StoredMessage<TMessage>): void;
  /**
   * Adds a dead letter; when full, evicts the oldest one and returns it. `message`, when given,
   * is the message that ends by this dead-lettering (instead of `settle`), so that a shared
   * storage can acknowledge it and record the letter in one step.
   */
  addDeadLetter(
    letter: DeadLetter<TMessage>,
    message?: StoredMessage<TMessage>,
  ): DeadLetter<TMessage> | undefined;
  /** The dead letters held, oldest first (a snapshot). */
  deadLetters(): readonly DeadLetter<TMessage>[];
  /** Removes and returns the dead letters with the given ids (all when `ids` is omitted). */
  takeDeadLetters(ids?: readonly MessageId[]): DeadLetter<TMessage>[];
  /** How many dead letters are held. */
  readonly deadLetterCount: number;
  /**
   * Releases the storage's resources once the channel has closed; the close report waits for it
   * (and adds what it reports). A failure is reported as a `storage-failed` event.
   */
  close(): void | Promise<void | StorageCloseReport>;
}

/**
 * A request received from another process through a shared storage: where its outcome goes.
 * Made by the storage; the channel calls `reply` or `refuse` exactly once, or neither when the
 * message is left stored for another replica.
 */
export interface RemoteRequester {
  /** When the requester stops waiting, in ms since the epoch; `undefined` for no timeout. */
  readonly expiresAt: number | undefined;
  /** Sends the handler's reply back to the requester. */
  reply(value: unknown): void;
  /** Sends a failure back to the requester (dead-lettered, withdrawn). */
  refuse(error: unknown): void;
}

/** An entry that a shared storage read (or claimed) for this process. */
export interface IncomingMessage<TMessage> {
  /** The message's stable id, as given by the process that sent it. */
  readonly id: MessageId;
  readonly body: TMessage;
  /** The counted deliveries that failed so far, as far as the shared store knows. */
  readonly failures: number;
  /** Set for a request: where its reply goes. */
  readonly requester: RemoteRequester | undefined;
}

/** How a request sent through a shared storage ended, as reported by the replica that had it. */
export type RemoteReply =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * The channel that owns a {@link SharedChannelStorage}, as the storage sees it: what the storage
 * calls back when something happens outside this process. Every call is synchronous and never
 * throws.
 */
export interface ChannelStorageHost<TMessage> {
  /** The channel's name. */
  readonly name: string;
  /** The channel's capacity, which `backlog` is compared with. */
  readonly capacity: number;
  /** Whether the channel still takes messages in; false from `close()` on: stop reading. */
  readonly receiving: boolean;
  /** How many consumers of this process wait for a message right now. */
  readonly waitingConsumers: number;
  /**
   * Makes the record of an entry read from the shared store (counted as `received`); the storage
   * queues the returned object in its window, then calls `ready()`.
   */
  receive(incoming: IncomingMessage<TMessage>): StoredMessage<TMessage>;
  /** Messages were queued in the window: hand them to waiting consumers. */
  ready(): void;
  /** The outcome of a request this process sent has arrived. */
  replied(id: MessageId, reply: RemoteReply): void;
  /**
   * A message this process ended (`handled` or `dead-lettered`, as `ending` says) had already
   * been settled by another replica that claimed it: the acknowledgement came too late (counted
   * as `duplicates`). A dead-lettering voided this way recorded no dead letter on the server: the
   * channel counts the message as handled (elsewhere) instead.
   */
  settledElsewhere(message: StoredMessage<TMessage>, ending: 'handled' | 'dead-lettered'): void;
  /** The shared backlog may have shrunk: let waiting senders try again. */
  roomFreed(): void;
  /** A background operation failed; reported as `storage-failed`, the channel carries on. */
  transportFailed(error: unknown): void;
}

/**
 * A storage shared by several processes through a server (Redis Streams). The channel adapts:
 *
 * - `append` is confirmed by a promise: a send resolves (and counts as `published`) once the
 *   server has the message; if it fails, the send rejects with the storage's error and the
 *   message counts as `withdrawn`.
 * - Entries arrive through `host.receive`: another replica's sends, this process's own, and
 *   entries claimed from dead replicas. They count as `received`.
 * - Capacity is checked against `backlog`, the storage's estimate of the messages waiting in the
 *   shared store, not against this process's window.
 * - A request's reply travels back through the storage (`RemoteRequester`, `host.replied`).
 * - `trySend` never accepts at once (acceptance needs the server), and `drop-oldest` is refused.
 */
export interface SharedChannelStorage<TMessage> extends ChannelStorage<TMessage> {
  readonly shared: true;
  append(message: StoredMessage<TMessage>): Promise<void>;
  /** Called once, by the channel built on this storage, before any other call. */
  attach(host: ChannelStorageHost<TMessage>): void;
  /** Estimated messages waiting in the shared store for any consumer; capacity is checked on it. */
  readonly backlog: number;
  /** A consumer of this process waits and nothing is ready here: fetch entries. */
  demand(): void;
}

/** Whether `storage` is shared between processes (see {@link SharedChannelStorage}). */
export function isSharedStorage<TMessage>(
  storage: ChannelStorage<TMessage>,
): storage is SharedChannelStorage<TMessage> {
  return (storage as Partial<SharedChannelStorage<TMessage>>).shared === true;
}
