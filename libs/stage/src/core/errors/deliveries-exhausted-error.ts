import { StageError } from './stage-error.js';
import { countOf } from '../util/count-of.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_DELIVERIES_EXHAUSTED: DeliveriesExhaustedError;
  }
}

/**
 * The cause recorded on a message dead-lettered before it was handed out again, because it had
 * already been delivered `maxDeliveries` times without being settled: each consumer that held it
 * ended first (a process killed or crashed while handling it, on a storage shared between
 * processes). Such a message is never handed to a handler again. Fix what ends those consumers,
 * then put it back with `replayDeadLetters()`.
 */
export class DeliveriesExhaustedError extends StageError {
  readonly code = 'STAGE_DELIVERIES_EXHAUSTED' as const;

  constructor(
    /** The channel's name. */
    readonly channel: string,
    /** The message's id. */
    readonly messageId: string,
    /** How many deliveries the message had, none of them settled. */
    readonly deliveries: number,
  ) {
    super(
      `Message ${messageId} on channel "${channel}" was delivered ${countOf(deliveries, 'time')} ` +
        `and each consumer holding it ended before settling it (a process killed or crashed ` +
        `while handling it). It was dead-lettered instead of being delivered again: find what ` +
        `ends those consumers, then replay it with replayDeadLetters().`,
    );
  }
}
