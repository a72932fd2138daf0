import { StageError } from './stage-error.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_CLOSED_BEFORE_DELIVERY: ClosedBeforeDeliveryError;
  }
}

/**
 * The cause recorded on a one-way message dead-lettered because its channel closed before the
 * message could be delivered (it was still buffered, waiting for a redelivery, or came back after
 * a failure when the drain deadline had passed). Replay it into a new run with
 * `replayDeadLetters()` is not possible once closed; read it from `deadLetters()` instead.
 */
export class ClosedBeforeDeliveryError extends StageError {
  readonly code = 'STAGE_CLOSED_BEFORE_DELIVERY' as const;

  constructor(
    /** The channel's name. */
    readonly channel: string,
    /** The message's id. */
    readonly messageId: string,
    /** The last delivery's error, if a delivery had failed before the close. */
    cause?: Error,
  ) {
    super(
      `Message ${messageId} on channel "${channel}" was not handled before the channel closed. ` +
        `Give the drain more time (close({ timeoutMs })) or keep consumers running until it ends.`,
      cause === undefined ? undefined : { cause },
    );
  }
}
