import type { ChannelStats } from './channel-stats.js';

/** What the ledger does not count itself: the gauges the channel reads from its queues. */
export type ChannelGauges = Pick<
  ChannelStats,
  'buffered' | 'inFlight' | 'delayed' | 'deadLetters' | 'waitingSenders' | 'waitingConsumers'
>;

/**
 * The counters of a channel's ledger: how accepted messages ended, and how often messages were
 * put back. Only ever incremented. The invariant it takes part in is documented on
 * {@link ChannelStats}. Internal.
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
      ...gauges,
    };
  }
}
