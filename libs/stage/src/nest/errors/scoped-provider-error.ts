import { StageError } from '../../core/errors/stage-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_SCOPED_PROVIDER: ScopedProviderError;
  }
}

/**
 * A `@Supervised` method belongs to a provider that has no single long-lived instance: it is
 * request-scoped or transient, or depends on something request-scoped. Such a method has no
 * instance to run on for the life of the application, so the bootstrap fails. Setting
 * `skipScopedProviders: true` in the root options skips these methods with a warning instead.
 */
export class ScopedProviderError extends StageError {
  readonly code = 'STAGE_SCOPED_PROVIDER' as const;

  constructor(
    /** The method, as `Class@method`. */
    readonly site: string,
    /** Why the provider is not a singleton, for example `it is request-scoped`. */
    readonly reason: string,
  ) {
    super(
      `@Supervised method ${site} cannot run: ${reason}. A supervised method needs one ` +
        `long-lived instance: make its provider and everything it injects singleton-scoped, ` +
        `move the loop to a singleton provider, or set skipScopedProviders: true in ` +
        `StageModule.forRoot() to skip such methods with a warning.`,
    );
  }
}
