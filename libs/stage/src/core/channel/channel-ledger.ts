import type { ChannelStats } from './channel-stats.js';

/** What the ledger does not hold itself: the gauges the channel reads from its queues. */
export type ChannelGauges = Pick<
  ChannelStats,
  'delayed' | 'deadLetters' | 'waitingSenders' | 'waitingConsumers'
>;

/**
 * A channel's ledger: where each message it took in is now, and how the others ended. Internal.
 *
 * **Invariant**, after every call into the channel returns (see {@link ChannelStats}):
 *
 * ```
 * accepted + received == handled + deadLettered + dropped + withdrawn + stored + published
 *                        + buffered + inFlight + delayed
 * ```
 *
 * where `delayed` is the length of the channel's redelivery schedule. Whoever moves a message
 * takes it out of one term and puts it into another in the same step: a message accepted is
 * counted `accepted` and `buffered` at once, a message handed out leaves `buffered` for
 * `inFlight`, a message that ends leaves its gauge (`buffered`, `inFlight` or `delayed`) and adds
 * to exactly one of the endings. The endings and `accepted`, `received` only ever grow; so do
 * `duplicates`, `redeliveries`, `replayed` and `deadLettersEvicted`, which count events rather
 * than messages and take no part in the invariant.
 */
export class ChannelLedger {
  accepted = 0;
  handled = 0;
  deadLettered = 0;
  dropped = 0;
  withdrawn = 0;
  stored = 0;
  received = 0;
  published = 0;
  duplicates = 0;
  redeliveries = 0;
  replayed = 0;
  deadLettersEvicted = 0;
  /**
   * Messages accepted and not yet handed out: in storage, ready to take, or (shared storages)
   * handed to the server and not confirmed yet. Never negative.
   */
  buffered = 0;
  /** Messages a task holds, through exactly one unsettled delivery each. Never negative. */
  inFlight = 0;

  /** A snapshot of the counters with the channel's current gauges. */
  snapshot(gauges: ChannelGauges): ChannelStats {
    return {
      accepted: this.accepted,
      handled: this.handled,
      deadLettered: this.deadLettered,
      dropped: this.dropped,
      withdrawn: this.withdrawn,
      stored: this.stored,
      received: this.received,
      published: this.published,
      duplicates: this.duplicates,
      redeliveries: this.redeliveries,
      replayed: this.replayed,
      deadLettersEvicted: this.deadLettersEvicted,
      buffered: this.buffered,
      inFlight: this.inFlight,
      ...gauges,
    };
  }
}
