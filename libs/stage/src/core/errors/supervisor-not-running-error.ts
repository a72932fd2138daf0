import { StageError } from './stage-error.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_SUPERVISOR_NOT_RUNNING: SupervisorNotRunningError;
  }
}

/**
 * A child was to be started under a supervisor that is not running. A supervisor's run starts
 * all its children, so start the supervisor instead.
 */
export class SupervisorNotRunningError extends StageError {
  readonly code = 'STAGE_SUPERVISOR_NOT_RUNNING' as const;

  constructor(
    /** The path of the supervisor. */
    readonly supervisor: readonly string[],
    /** The child that was to be started. */
    readonly child: string,
    /** The supervisor's state at the time, for example `stopped`. */
    readonly state: string,
  ) {
    super(
      `Cannot start child "${child}" of supervisor "${supervisor.join('/')}": the supervisor is ` +
        `${state}. Start the supervisor instead; each of its runs starts all its children.`,
    );
  }
}
