import { StageError } from './stage-error.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_CHANNEL_CLOSED: ChannelClosedError;
  }
}

/**
 * A channel that is closing or closed refused a message, or returned one it could no longer
 * deliver (a request still buffered when its drain deadline passed).
 *
 * Thrown at once by `send` and `request` from the moment `close()` is called, and given to senders
 * that were waiting for room at that moment. Never retried by Stage: the channel will not reopen.
 */
export class ChannelClosedError extends StageError {
  readonly code = 'STAGE_CHANNEL_CLOSED' as const;

  constructor(
    /** The channel's name. */
    readonly channel: string,
  ) {
    super(
      `Channel "${channel}" is closed: it accepts no more messages. Send before closing it, or ` +
        `stop the producer first when shutting down.`,
    );
  }
}
