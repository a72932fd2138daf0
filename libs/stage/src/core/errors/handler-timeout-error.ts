import { StageError } from './stage-error.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_HANDLER_TIMEOUT: HandlerTimeoutError;
  }
}

/**
 * A channel handler did not settle within its `handlerTimeoutMs` and is treated as hung. Its
 * delivery fails (and counts), the task running it ends failed with this error so that its group
 * replaces it, and the abandoned promise's late settlement is ignored.
 */
export class HandlerTimeoutError extends StageError {
  readonly code = 'STAGE_HANDLER_TIMEOUT' as const;

  constructor(
    /** The channel's name. */
    readonly channel: string,
    /** The message the handler was working on. */
    readonly messageId: string,
    /** The timeout that passed, in ms. */
    readonly timeoutMs: number,
  ) {
    super(
      `The handler of channel "${channel}" did not settle within ${timeoutMs} ms for message ` +
        `${messageId}; its task is replaced. Make the handler honour delivery.signal, or raise ` +
        `handlerTimeoutMs.`,
    );
  }
}
