import { StageError } from '../../core/errors/stage-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_NOT_RUNNING: StageNotRunningError;
  }
}

/**
 * A {@link StageRegistry} operation that starts work was called when the application cannot run
 * it: before the application bootstrapped (for `start`), or once it began shutting down (for
 * `start` and `spawn`).
 */
export class StageNotRunningError extends StageError {
  readonly code = 'STAGE_NOT_RUNNING' as const;

  constructor(
    /** The call, for example `start("mailer")`. */
    readonly operation: string,
    /** Where the application stood. */
    readonly phase: 'bootstrapping' | 'shutting-down',
  ) {
    super(
      phase === 'bootstrapping'
        ? `StageRegistry.${operation} was called before the application bootstrapped. Call it ` +
            `from onApplicationBootstrap or later; groups start by themselves at bootstrap.`
        : `StageRegistry.${operation} was called while the application is shutting down; ` +
            `Stage starts no new work once shutdown has begun.`,
    );
  }
}
