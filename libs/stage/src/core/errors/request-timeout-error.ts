import { StageError } from './stage-error.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_REQUEST_TIMEOUT: RequestTimeoutError;
  }
}

/**
 * A request got no reply within its `timeoutMs`. If it was still buffered (or waiting for a
 * redelivery) it was withdrawn; if a handler held it, that handler may still finish, and its late
 * reply is ignored.
 */
export class RequestTimeoutError extends StageError {
  readonly code = 'STAGE_REQUEST_TIMEOUT' as const;

  constructor(
    /** The channel's name. */
    readonly channel: string,
    /** The timeout that passed, in ms. */
    readonly timeoutMs: number,
    /** The request's message id, or `undefined` if it was still waiting for room. */
    readonly messageId: string | undefined,
  ) {
    super(
      `Request ${messageId === undefined ? '' : `${messageId} `}on channel "${channel}" got no ` +
        `reply within ${timeoutMs} ms. Check that the channel has running consumers, or raise ` +
        `timeoutMs.`,
    );
  }
}
