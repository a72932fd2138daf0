import { StageError } from './stage-error.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_UNKNOWN_CHILD: UnknownChildError;
  }
}

/** A supervisor was asked to act on a child name it does not have. */
export class UnknownChildError extends StageError {
  readonly code = 'STAGE_UNKNOWN_CHILD' as const;

  constructor(
    /** The path of the supervisor. */
    readonly supervisor: readonly string[],
    /** The name asked for. */
    readonly child: string,
    /** The names the supervisor does have, in start order. */
    readonly known: readonly string[],
  ) {
    const names = known.length === 0 ? 'it has none' : `its children are ${quoteAll(known)}`;
    super(
      `Supervisor "${supervisor.join('/')}" has no child named "${child}" (${names}). Check ` +
        `the name, or whether the child was already removed.`,
    );
  }
}

function quoteAll(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}
