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
}

/**
 * Where a channel keeps its messages: the ready queue and the dead letters. The channel keeps
 * everything that lives in one process: waiting senders and consumers, in-flight bookkeeping,
 * redelivery delays, request replies, the ledger and the events.
 *
 * Calls are synchronous so that the in-memory default stays on the hot path without promises. A
 * transport that talks to a server keeps a local window of ready messages (for Redis Streams,
 * entries read with `XREADGROUP` into this consumer's pending list), calls the channel back when
 * new ones arrive, and pipelines its writes, flushing them in `close`. (Confirming each `append`
 * before its send resolves, and the call-back for arrivals, are to be added with the first such
 * transport; the in-memory storage needs neither.)
 *
 * What a transport must guarantee:
 * - **Identity.** `takeNext` returns the very objects given to `append` or `prepend`.
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
  /** Adds a newly accepted message at the back. */
  append(message: StoredMessage<TMessage>): void;
  /** Puts a taken message back at the front (its delivery was interrupted by a stop). */
  prepend(message: StoredMessage<TMessage>): void;
  /** Puts a taken message back at the back (its redelivery delay has passed). */
  requeue(message: StoredMessage<TMessage>): void;
  /** Removes and returns the next ready message, or `undefined` when none is ready. */
  takeNext(): StoredMessage<TMessage> | undefined;
  /** Removes a ready message that will not be delivered ; returns whether it was there. */
  remove(message: StoredMessage<TMessage>): boolean;
  /** Forgets a message that has ended: handled, dropped, withdrawn or dead-lettered. */
  settle(message: StoredMessage<TMessage>): void;
  /** Adds a dead letter; when full, evicts the oldest one and returns it. */
  addDeadLetter(letter: DeadLetter<TMessage>): DeadLetter<TMessage> | undefined;
  /** The dead letters held, oldest first (a snapshot). */
  deadLetters(): readonly DeadLetter<TMessage>[];
  /** Removes and returns the dead letters with the given ids (all when `ids` is omitted). */
  takeDeadLetters(ids?: readonly MessageId[]): DeadLetter<TMessage>[];
  /** How many dead letters are held. */
  readonly deadLetterCount: number;
  /**
   * Releases the storage's resources once the channel has closed; the close report waits for it.
   * A failure is reported as a `storage-failed` event.
   */
  close(): void | Promise<void>;
}
