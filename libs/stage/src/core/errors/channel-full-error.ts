import { StageError } from './stage-error.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_CHANNEL_FULL: ChannelFullError;
  }
}

/**
 * A full channel refused a message: its `overflow` mode is `'reject'`, or it is a request dropped
 * by a `'drop-oldest'` or `'drop-newest'` channel (a dropped request is never left hanging).
 */
export class ChannelFullError extends StageError {
  readonly code = 'STAGE_CHANNEL_FULL' as const;

  constructor(
    /** The channel's name. */
    readonly channel: string,
    /** The channel's capacity. */
    readonly capacity: number,
    /** The channel's overflow mode. */
    readonly overflow: string,
  ) {
    super(
      `Channel "${channel}" is full (capacity ${capacity}, overflow "${overflow}"): the message ` +
        `was not delivered. Retry later, add consumers, or raise the capacity.`,
    );
  }
}
