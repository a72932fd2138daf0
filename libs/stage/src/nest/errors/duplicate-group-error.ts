import { StageError } from '../../core/errors/stage-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_DUPLICATE_GROUP: DuplicateGroupError;
  }
}

/**
 * Two groups of one application have the same name. Names identify groups in logs, events and
 * the {@link StageRegistry}, so each must be unique. Thrown at bootstrap for `@Supervised`
 * methods, and by `StageRegistry.spawn` for dynamic groups.
 */
export class DuplicateGroupError extends StageError {
  readonly code = 'STAGE_DUPLICATE_GROUP' as const;

  constructor(
    /** The name both groups claim. */
    readonly group: string,
    /** Where the group that holds the name was declared, for example `Mailer@run`. */
    readonly existing: string,
    /** Where the second group was declared. */
    readonly duplicate: string,
    /**
     * When both are one class's method, provided twice: the names of the modules that provide
     * it, in discovery order (the same name twice when one module provides it under two tokens).
     */
    readonly modules?: readonly [string, string],
  ) {
    super(duplicateMessage(group, existing, duplicate, modules));
  }
}

function duplicateMessage(
  group: string,
  existing: string,
  duplicate: string,
  modules: readonly [string, string] | undefined,
): string {
  if (modules === undefined) {
    return (
      `Two groups are named "${group}": ${existing} and ${duplicate}. Give one of them another ` +
      `name (@Supervised({ name }) or spawn({ name })).`
    );
  }
  const [first, second] = modules;
  if (first === second) {
    return (
      `${duplicate} would run twice: ${first} provides its class under two tokens, and each ` +
      `makes an instance. Provide the class once and alias the other token with useExisting.`
    );
  }
  return (
    `${duplicate} would run twice: its class is provided by two modules, ${first} and ` +
    `${second}. Provide it in one module and export it from there to the other.`
  );
}
