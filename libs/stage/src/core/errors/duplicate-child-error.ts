import { StageError } from './stage-error.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_DUPLICATE_CHILD: DuplicateChildError;
  }
}

/**
 * A child was added to a supervisor that already has a child of that name. Names identify
 * children in paths, events and the registry, so they are unique within one supervisor. Thrown
 * by `add()`, which then changes nothing.
 */
export class DuplicateChildError extends StageError {
  readonly code = 'STAGE_DUPLICATE_CHILD' as const;

  constructor(
    /** The path of the supervisor. */
    readonly supervisor: readonly string[],
    /** The name both children have. */
    readonly child: string,
  ) {
    super(
      `Supervisor "${supervisor.join('/')}" already has a child named "${child}". Child names ` +
        `must be unique within a supervisor: rename one of them, or remove the old child first.`,
    );
  }
}
