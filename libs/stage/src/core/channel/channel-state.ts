import type { ChannelCloseReport } from './channel-close-report.js';

/**
 * Where a channel is in its life:
 * - `not-started`: no consumer has attached yet and `markStarted()` was not called. Sends are
 *   buffered; a send that would have to wait for room is refused (`ChannelNotStartedError`).
 * - `open`: consumers have started; a full channel applies its overflow mode.
 * - `closing`: `close()` was called; sends are refused, consumers drain what is left.
 * - `closed`: the drain ended or its deadline passed; what was left has been returned or
 *   dead-lettered.
 */
export type ChannelState =
  | { readonly kind: 'not-started' }
  | { readonly kind: 'open' }
  | { readonly kind: 'closing' }
  | { readonly kind: 'closed'; readonly report: ChannelCloseReport };

/** A channel's state before it starts; every channel shares it, so it is compared by identity. */
export const NOT_STARTED_STATE: ChannelState = Object.freeze({ kind: 'not-started' });

/** A channel's state once started and until `close()`; shared, compared by identity. */
export const OPEN_STATE: ChannelState = Object.freeze({ kind: 'open' });

/** A channel's state while it drains; shared, compared by identity. */
export const CLOSING_STATE: ChannelState = Object.freeze({ kind: 'closing' });
