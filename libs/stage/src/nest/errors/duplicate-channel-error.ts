import { StageError } from '../../core/errors/stage-error.js';
import { describeValue } from '../../core/errors/invalid-option-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_DUPLICATE_CHANNEL: DuplicateChannelError;
  }
}

/**
 * Two `StageModule.forFeature()` registrations declare a channel of the same name with different
 * options. An application has one channel per name, so every declaration of a name must be equal
 * (the same options, the same storage object). Thrown while the application initializes.
 */
export class DuplicateChannelError extends StageError {
  readonly code = 'STAGE_DUPLICATE_CHANNEL' as const;

  constructor(
    /** The channel's name. */
    readonly channel: string,
    /** The modules that import the first declaration, for example `AdderModule`. */
    readonly first: string,
    /** The modules that import the differing declaration. */
    readonly second: string,
    /** The first option that differs, for example `capacity`. */
    readonly option: string,
    /** Its value in the first declaration. */
    readonly firstValue: unknown,
    /** Its value in the second. */
    readonly secondValue: unknown,
  ) {
    super(
      `Channel "${channel}" is declared twice with different options: "${option}" is ` +
        `${describeValue(firstValue)} in ${first} and ${describeValue(secondValue)} in ` +
        `${second}. Declare the channel once (for example as a shared constant) and register ` +
        `that declaration in every module that uses it.`,
    );
  }
}
