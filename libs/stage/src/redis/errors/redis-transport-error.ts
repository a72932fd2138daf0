import { StageError } from '../../core/errors/stage-error.js';
import { messageOf } from '../../core/errors/thrown-value-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_REDIS_TRANSPORT: RedisTransportError;
  }
}

/**
 * The Redis server did not confirm an operation of a Redis channel: it was unreachable, refused
 * the command, or the channel's storage had closed. `cause` is the client's error, when there is
 * one.
 *
 * A send or request that rejects with it was **not accepted** (counted as withdrawn): send it
 * again once Redis is back. Background failures (reading, acknowledging, reclaiming) are reported
 * as `storage-failed` events carrying this error; the channel carries on and retries, and what
 * could not be acknowledged is delivered again later.
 */
export class RedisTransportError extends StageError {
  readonly code = 'STAGE_REDIS_TRANSPORT' as const;

  constructor(
    /** The channel's name. */
    readonly channel: string,
    /** What was being done, for example `store message abc-1` or `read new entries`. */
    readonly operation: string,
    cause?: unknown,
  ) {
    super(
      `Redis channel "${channel}" could not ${operation}: ${describeCause(cause)}. Check that ` +
        `the Redis server is reachable with the channel's connection options; what was not ` +
        `confirmed is retried or delivered again, and a rejected send may be sent again.`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** The cause in words, without the full stop that the message adds after it. */
function describeCause(cause: unknown): string {
  const text =
    cause instanceof Error
      ? messageOf(cause)
      : cause === undefined
        ? 'the storage is closed'
        : String(cause);
  return text.replace(/[.\s]+$/, '');
}
