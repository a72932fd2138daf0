import { StageError } from '../../core/errors/stage-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_NOT_RUNNING: StageNotRunningError;
  }
}

/**
 * Where the application stood when a {@link StageNotRunningError} was thrown: before its
 * bootstrap finished, during its shutdown (from the first destroy phase on), or after it (once
 * `app.close()` has resolved).
 */
export type StageNotRunningPhase = 'bootstrapping' | 'shutting-down' | 'shut-down';

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
    readonly phase: StageNotRunningPhase,
  ) {
    super(notRunningMessage(operation, phase));
  }
}

function notRunningMessage(operation: string, phase: StageNotRunningPhase): string {
  const call = `StageRegistry.${operation} was called`;
  switch (phase) {
    case 'bootstrapping':
      return (
        `${call} before the application bootstrapped. Call it from onApplicationBootstrap or ` +
        `later; groups start by themselves at bootstrap.`
      );
    case 'shutting-down':
      return (
        `${call} after the application began shutting down; Stage starts no new work once ` +
        `shutdown has begun.`
      );
    case 'shut-down':
      return (
        `${call} after the application shut down (app.close() had resolved); Stage starts no ` +
        `new work then. Call it before closing the application, or in a new one.`
      );
  }
}
