import type { ChannelEmitter } from './channel-emitter.js';
import type { ChannelLedger } from './channel-ledger.js';
import type { ChannelStorage } from './channel-storage.js';

/**
 * What every part of one channel works on: its name and capacity, its storage, its ledger and its
 * listeners. Made once per channel by the engine and handed to each part it builds, so that the
 * parts share one ledger (and so one invariant) without reaching into the engine. Internal to
 * channels.
 */
export interface ChannelBasis<TMessage> {
  readonly name: string;
  readonly capacity: number;
  readonly storage: ChannelStorage<TMessage>;
  readonly ledger: ChannelLedger;
  readonly events: ChannelEmitter;
}
