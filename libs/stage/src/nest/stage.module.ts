import { type DynamicModule, Module } from '@nestjs/common';

import { StageConfiguration } from './stage-configuration.js';
import { StageCoreModule } from './stage-core.module.js';
import {
  ConfigurableStageModule,
  STAGE_MODULE_OPTIONS,
  type StageModuleAsyncOptions,
} from './stage-module-definition.js';
import type { StageModuleOptions } from './stage-module-options.js';

/** The provider through which each import registers its options with the shared core. */
const STAGE_OPTIONS_REGISTRATION = Symbol('STAGE_OPTIONS_REGISTRATION');

/**
 * Adds Stage to a Nest application: discovers `@Supervised` methods, runs them as groups from
 * bootstrap to shutdown, and provides `StageRegistry`.
 *
 * Import it once in the root module with `forRoot(options)` or `forRootAsync(...)`. Every import
 * shares one core, so importing it in several modules runs each supervised method once; options
 * that differ between imports fail the bootstrap with `ConflictingOptionsError`, and a bad option
 * fails it with `InvalidOptionError` (for `forRootAsync`, when the options are resolved).
 * Importing the class itself, without options, uses the defaults.
 *
 * Shutdown: call `app.enableShutdownHooks()` so that a `SIGTERM` closes the application; each
 * group then stops in its provider's destroy phase (see `@Supervised`).
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [StageModule.forRoot({ groups: { shutdownTimeoutMs: 10_000 } })],
 *   providers: [OutboxRelay],
 * })
 * export class AppModule {}
 * ```
 */
@Module({ imports: [StageCoreModule] })
export class StageModule extends ConfigurableStageModule {
  /** Configures Stage with `options` (validated while the providers are created). */
  static override forRoot(options: StageModuleOptions = {}): DynamicModule {
    return withRegistration(super.forRoot(options));
  }

  /** Configures Stage with options resolved by a factory, a class or an existing provider. */
  static override forRootAsync(options: StageModuleAsyncOptions): DynamicModule {
    return withRegistration(super.forRootAsync(options));
  }
}

/** Adds the provider that validates this import's options and registers them with the core. */
function withRegistration(definition: DynamicModule): DynamicModule {
  return {
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      {
        provide: STAGE_OPTIONS_REGISTRATION,
        useFactory: (configuration: StageConfiguration, options: unknown) =>
          configuration.register(options),
        inject: [StageConfiguration, STAGE_MODULE_OPTIONS],
      },
    ],
  };
}
