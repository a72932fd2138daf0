import { type DynamicModule, Module } from '@nestjs/common';

import { StageConfiguration } from './stage-configuration.js';
import { StageCoreModule } from './stage-core.module.js';
import type { StageFeatureAsyncOptions, StageFeatureOptions } from './stage-feature-options.js';
import { StageFeatureModule } from './stage-feature.module.js';
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
 * group then stops in its provider's destroy phase (see `@Supervised`), the last handler-mode
 * consumer of a channel draining it first. Stage's own destroy phase comes last: it stops what is
 * left of the supervision tree (spawned groups), cancels pending root restarts, and closes the
 * channels nothing drained, returning their requests to the senders (`ChannelClosedError`) and
 * dead-lettering their one-way messages, with a log line saying how many.
 *
 * Modules register channels and their supervisor's options with {@link StageModule.forFeature}.
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

  /**
   * Registers what the importing module adds to Stage: the channels it provides (injectable
   * there with `@InjectChannel(name)`, under `getChannelToken(name)`) and its supervisor's
   * strategy and intensity. Validated while the providers are created (`InvalidOptionError`);
   * declarations that disagree fail the application's initialization (`DuplicateChannelError`).
   *
   * **One channel per name.** Every module that registers a declaration of a name gets the same
   * channel instance, so a producer module and a consumer module can each register a shared
   * declaration. Declarations of one name must be equal.
   *
   * **The module's supervisor.** A module that declares supervised work (a provider or controller
   * with `@Supervised` methods) gets a supervisor named after its class, a child of the root
   * supervisor; its children are the module's groups, in declaration order (providers in the
   * module's order, then controllers; methods in class order). `supervisor` sets its strategy
   * (what one group's give-up does to its siblings) and intensity (past it, the whole module gives
   * up and the root's `onGiveUp` policy applies). Without it, the core's defaults apply.
   *
   * Works without `forRoot()` (the root options then take their defaults).
   *
   * @example
   * ```ts
   * @Module({
   *   imports: [
   *     StageModule.forFeature({
   *       channels: [{ name: 'adder', capacity: 256 }],
   *       supervisor: { strategy: 'one-for-all', intensity: { maxRestarts: 5, withinMs: 60_000 } },
   *     }),
   *   ],
   *   providers: [AdderWorkers],
   * })
   * export class AdderModule {}
   * ```
   */
  static forFeature(options: StageFeatureOptions = {}): DynamicModule {
    return StageFeatureModule.register(options);
  }

  /**
   * Registers what the importing module adds to Stage, as {@link forFeature} does, with options
   * resolved by a factory from injected providers: for example a channel whose storage uses a
   * Redis client the application provides. The channel names are given up front, since their
   * providers exist before the factory runs; the factory must declare exactly those.
   *
   * **Shutdown.** The registration's channels close in its own module's destroy phase, after the
   * groups of the modules that import it have stopped and before the modules it imports (where
   * the injected providers live) are destroyed: a storage never sees its client closed under it.
   *
   * @throws InvalidOptionError at once for options that cannot define the module (no factory,
   * names that are not distinct non-empty strings); when resolved, for a bad registration or
   * channels that differ from the names given.
   *
   * @example
   * ```ts
   * @Module({
   *   imports: [
   *     StageModule.forFeatureAsync({
   *       channels: ['adder'],
   *       imports: [RedisModule],
   *       inject: [REDIS_CLIENT],
   *       useFactory: (client: Redis) => ({
   *         channels: [{ name: 'adder', storage: new RedisChannelStorage({ client }) }],
   *       }),
   *     }),
   *   ],
   *   providers: [AdderWorkers],
   * })
   * export class AdderModule {}
   * ```
   */
  static forFeatureAsync(options: StageFeatureAsyncOptions): DynamicModule {
    return StageFeatureModule.registerAsync(options);
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
