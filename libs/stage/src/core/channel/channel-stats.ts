/**
 * The ledger of a channel: a snapshot of its counters. Every message the channel accepts (or, on a
 * shared storage, receives) ends in exactly one way, so at every moment
 *
 * ```
 * accepted + received == handled + deadLettered + dropped + withdrawn + stored + published
 *                        + buffered + inFlight + delayed
 * ```
 *
 * In memory, `received` and `published` are always 0. On a storage shared between processes
 * (Redis Streams), a message sent here ends here as `published` once the server has it, and is
 * counted again, as `received`, by the replica that reads it (this one or another), where it ends
 * as handled, dead-lettered… Summed over every replica, messages handled once each are
 * `handled - duplicates`.
 *
 * **Replays.** `replayDeadLetters()` re-accepts a dead letter: it adds 1 to `accepted` (and to
 * `replayed`) and leaves `deadLettered` as it was, since that message was dead-lettered once and
 * that stays true. The replayed message then ends again in exactly one way, so the invariant
 * holds with `accepted` counting sends plus replays.
 *
 * The counters are those of this channel object in this process, since it was built.
 */
export interface ChannelStats {
  /** Messages accepted: each `send`, `trySend` and `request` the channel took, and each replay. */
  readonly accepted: number;
  /** Messages whose delivery succeeded (acknowledged, or completed by the task that held them). */
  readonly handled: number;
  /** Messages dead-lettered, including those later evicted or replayed. */
  readonly deadLettered: number;
  /** Messages dropped by a `'drop-oldest'` or `'drop-newest'` overflow mode. */
  readonly dropped: number;
  /**
   * Messages returned to their sender as an error: requests that timed out or were aborted while
   * not in a handler's hands, and requests left over when the channel closed.
   */
  readonly withdrawn: number;
  /** Messages left in durable storage at close, for the next consumer; always 0 in memory. */
  readonly stored: number;
  /**
   * Messages read from a shared storage into this process (sent by any replica, or claimed from a
   * dead one); always 0 in memory.
   */
  readonly received: number;
  /**
   * Messages sent here and confirmed by a shared storage, where any replica may take them; always
   * 0 in memory.
   */
  readonly published: number;
  /**
   * Messages this process ended (handled or dead-lettered) that another replica had already
   * settled after claiming them: the late acknowledgement changed nothing on the server. They are
   * included in `handled`, a voided dead-lettering included (the server recorded no dead letter:
   * the message was settled elsewhere); always 0 in memory.
   */
  readonly duplicates: number;
  /** Messages waiting in the buffer for a consumer. */
  readonly buffered: number;
  /** Messages a task holds right now. */
  readonly inFlight: number;
  /** Messages waiting out their redelivery delay after a failed delivery. */
  readonly delayed: number;
  /** Times a message was put back for another delivery, after a failure or a stop. */
  readonly redeliveries: number;
  /** Dead letters re-accepted by `replayDeadLetters()` (included in `accepted`). */
  readonly replayed: number;
  /** Dead letters evicted, oldest first, because the dead letters were full. */
  readonly deadLettersEvicted: number;
  /** Dead letters held right now. */
  readonly deadLetters: number;
  /** Senders waiting for room (their messages are not accepted yet, so not in the ledger). */
  readonly waitingSenders: number;
  /** Consumers waiting for a message. */
  readonly waitingConsumers: number;
}
