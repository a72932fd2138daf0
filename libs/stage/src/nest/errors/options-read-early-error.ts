import { StageError } from '../../core/errors/stage-error.js';
import { describeValue } from '../../core/errors/invalid-option-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_OPTIONS_READ_EARLY: OptionsReadEarlyError;
  }
}

/**
 * Stage's root options were needed before `StageModule.forRootAsync()` had resolved them (a
 * `StageRegistry` call in a constructor or a factory, while Nest was still creating providers),
 * so the defaults were used, and the options resolved afterwards differ from them. Thrown while
 * the application's providers are created, so that those options are never silently ignored.
 */
export class OptionsReadEarlyError extends StageError {
  readonly code = 'STAGE_OPTIONS_READ_EARLY' as const;

  constructor(
    /** The first option path that differs, for example `groups.restart`. */
    readonly option: string,
    /** Its default, which was used. */
    readonly used: unknown,
    /** Its value in the options resolved afterwards. */
    readonly resolved: unknown,
  ) {
    super(
      `Stage's root options were used before StageModule.forRootAsync() resolved them, so ` +
        `"${option}" was ${describeValue(used)} (its default) instead of ` +
        `${describeValue(resolved)}. Call StageRegistry from onModuleInit() or later, not from a ` +
        `constructor or a provider factory.`,
    );
  }
}
