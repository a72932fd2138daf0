import { StageError } from '../../core/errors/stage-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_CLIENT_DISCONNECTED: ClientDisconnectedError;
  }
}

/**
 * The reason of a `@RequestAbortSignal()` signal: the HTTP client went away before its response
 * was sent, so the work done for it can stop (a `channel.request` given the signal is withdrawn
 * if it is still buffered). `StageExceptionFilter` answers it with 499, which no client sees.
 */
export class ClientDisconnectedError extends StageError {
  readonly code = 'STAGE_CLIENT_DISCONNECTED' as const;

  constructor() {
    super(
      'The HTTP client disconnected before its response was sent; the work done for it was ' +
        'aborted.',
    );
  }
}
