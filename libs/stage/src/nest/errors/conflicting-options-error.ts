import { StageError } from '../../core/errors/stage-error.js';
import { describeValue } from '../../core/errors/invalid-option-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_CONFLICTING_OPTIONS: ConflictingOptionsError;
  }
}

/**
 * `StageModule.forRoot()` or `forRootAsync()` was imported more than once with options that
 * differ. One application has one Stage core, so it can have only one set of root options.
 * Thrown while the application's providers are created, before any hook runs.
 */
export class ConflictingOptionsError extends StageError {
  readonly code = 'STAGE_CONFLICTING_OPTIONS' as const;

  constructor(
    /** The first option path that differs, for example `groups.shutdownTimeoutMs`. */
    readonly option: string,
    /** Its value in the options registered first. */
    readonly first: unknown,
    /** Its value in the options registered later. */
    readonly second: unknown,
  ) {
    super(
      `StageModule was configured twice with different options: "${option}" is ` +
        `${describeValue(first)} in one and ${describeValue(second)} in the other. Configure it ` +
        `once, with forRoot() or forRootAsync() in the root module; @Supervised and ` +
        `StageRegistry work in every module without importing StageModule again.`,
    );
  }
}
