import { StageError } from './stage-error.js';
import { messageOf } from './thrown-value-error.js';
import { countOf } from '../util/count-of.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_DEAD_LETTERED: DeadLetteredError;
  }
}

/**
 * A request failed on every delivery allowed (`maxDeliveries`) and was dead-lettered. `cause`
 * is the error of its last delivery; the message itself is kept in the channel's dead letters.
 */
export class DeadLetteredError extends StageError {
  readonly code = 'STAGE_DEAD_LETTERED' as const;

  constructor(
    /** The channel's name. */
    readonly channel: string,
    /** The dead-lettered message's id. */
    readonly messageId: string,
    /** How many deliveries failed. */
    readonly deliveryCount: number,
    /** The last delivery's error. */
    override readonly cause: Error,
  ) {
    super(
      `Message ${messageId} on channel "${channel}" was dead-lettered after ` +
        `${countOf(deliveryCount, 'failed delivery', 'failed deliveries')}; last error: ` +
        `${messageOf(cause)}. Fix the handler, then replay it with replayDeadLetters().`,
      { cause },
    );
  }
}
