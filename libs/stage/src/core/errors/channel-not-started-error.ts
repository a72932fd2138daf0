import { StageError } from './stage-error.js';
import { countOf } from '../util/count-of.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_CHANNEL_NOT_STARTED: ChannelNotStartedError;
  }
}

/**
 * A send would have had to wait for room before any consumer of the channel had started. Waiting
 * then could deadlock the application's bootstrap (the consumers start after it), so the send is
 * refused instead. The message was not accepted.
 */
export class ChannelNotStartedError extends StageError {
  readonly code = 'STAGE_CHANNEL_NOT_STARTED' as const;

  constructor(
    /** The channel's name. */
    readonly channel: string,
    /** The channel's capacity, all of it buffered. */
    readonly capacity: number,
  ) {
    super(
      `Channel "${channel}" is full (${countOf(capacity, 'message')} buffered) and its ` +
        `consumers have not started yet: waiting for room could deadlock the bootstrap. Send ` +
        `after the application has started, or raise the channel's capacity.`,
    );
  }
}
