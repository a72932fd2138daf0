import type { ChannelState } from '../core/channel/channel-state.js';
import type { ChannelStats } from '../core/channel/channel-stats.js';
import type { OverflowMode } from '../core/channel/channel-options.js';

/** What the registry shows of one channel: a snapshot. */
export interface ChannelInfo {
  readonly name: string;
  /** The modules that declare it, for example `AdderModule and HttpModule`. */
  readonly declaredBy: string;
  readonly state: ChannelState;
  readonly capacity: number;
  readonly overflow: OverflowMode;
  /** Messages buffered, waiting for a consumer (redeliveries waiting out their delay excluded). */
  readonly depth: number;
  /** Messages a task holds right now. */
  readonly inFlight: number;
  /** Dead letters held right now (see `StageRegistry.deadLetters`). */
  readonly deadLetters: number;
  /** The groups consuming it in handler mode, by name. */
  readonly consumers: readonly string[];
  /** The whole ledger: every accepted message ends in exactly one counted way. */
  readonly stats: ChannelStats;
}
