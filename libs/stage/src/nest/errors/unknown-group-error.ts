import { StageError } from '../../core/errors/stage-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_UNKNOWN_GROUP: UnknownGroupError;
  }
}

/** A {@link StageRegistry} operation named a group the application does not have. */
export class UnknownGroupError extends StageError {
  readonly code = 'STAGE_UNKNOWN_GROUP' as const;

  constructor(
    /** The name asked for. */
    readonly group: string,
    /** The names the registry knows, to spot a typo. */
    readonly known: readonly string[],
  ) {
    const list = known.length === 0 ? 'none' : known.map((name) => `"${name}"`).join(', ');
    super(
      `No group is named "${group}". Known groups: ${list}. A @Supervised method's group is ` +
        `named "Class.method" unless it sets a name.`,
    );
  }
}
