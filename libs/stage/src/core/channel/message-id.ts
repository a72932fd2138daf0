import { randomBytes } from 'node:crypto';

/**
 * A message's stable id: given when the channel accepts the message and kept across every
 * redelivery and replay. Use it as the idempotency key of a handler.
 *
 * In memory, ids are unique within the process and, thanks to a random part drawn per channel,
 * across restarts of the process too (so an id recorded in a database is never reused by a later
 * run). A durable transport uses its own ids (for Redis Streams, the entry id).
 */
export type MessageId = string;

/**
 * Numbers the messages of one channel. An id is its random prefix, drawn once, and a message's
 * number: `<prefix>-<number>`. The channel keeps the number and spells the id out only when it is
 * read, so that a message whose id nobody reads costs no string.
 */
export class MessageIdSource {
  /** Random per source, so that two runs of the process never share ids. */
  readonly prefix = randomBytes(6).toString('base64url');
  /** The last number handed out. */
  #sequence = 0;

  /** The next message number. */
  next(): number {
    return ++this.#sequence;
  }
}

/** Spells out the id of message `sequence` of a source with `prefix`. */
export function formatMessageId(prefix: string, sequence: number): MessageId {
  return `${prefix}-${sequence}`;
}
