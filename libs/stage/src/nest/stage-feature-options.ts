import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';

import type { BackoffOptions } from '../core/backoff/backoff-options.js';
import type { ChannelOptions } from '../core/channel/channel-options.js';
import type { IntensityOptions } from '../core/group/task-group-options.js';
import type { SupervisorStrategy } from '../core/supervisor/supervisor-strategy.js';

/**
 * A channel as a module declares it: the core's channel options. Keep one declaration per name
 * (for example an exported constant) and register it in every module that uses the channel;
 * declarations of one name that differ fail the bootstrap with `DuplicateChannelError`.
 *
 * @example
 * export const ADDER_CHANNEL: ChannelDeclaration = { name: 'adder', capacity: 256 };
 */
export type ChannelDeclaration = ChannelOptions<unknown>;

/**
 * The supervisor of the importing module: the node of the supervision tree between the root and
 * the module's groups, named after the module class. Unset fields take the core's defaults
 * (`one-for-one`, at most 3 restarts within 60 s, no backoff).
 */
export interface ModuleSupervisorOptions {
  /** What one group's give-up does to the module's other groups; default `one-for-one`. */
  readonly strategy?: SupervisorStrategy;
  /**
   * How many restarts of the module's groups are allowed within a sliding window before the
   * module's supervisor gives up and the root's `onGiveUp` policy applies to the whole module;
   * `false` for no limit.
   */
  readonly intensity?: IntensityOptions | false;
  /** A wait before each restart of a group that gave up; default none. */
  readonly backoff?: BackoffOptions | false;
}

/**
 * What a module registers with Stage through `StageModule.forFeature()`: the channels it provides
 * and how its supervisor restarts its groups. Validated while the application's providers are
 * created: a bad value fails the bootstrap with an `InvalidOptionError` naming the option.
 */
export interface StageFeatureOptions {
  /**
   * Channels provided to the importing module under `getChannelToken(name)` (inject them with
   * `@InjectChannel(name)`). One instance per name in the application, however many modules
   * register it. Names must be unique within one registration.
   */
  readonly channels?: readonly ChannelDeclaration[];
  /** The importing module's supervisor; see {@link ModuleSupervisorOptions}. */
  readonly supervisor?: ModuleSupervisorOptions;
}

/**
 * What `StageModule.forFeatureAsync()` takes: the names of the channels the module provides,
 * known when the module is defined (their providers and tokens are made then), and a factory that
 * resolves the registration from injected providers, for example a channel's storage built on a
 * Redis client the application provides.
 *
 * @example
 * ```ts
 * StageModule.forFeatureAsync({
 *   channels: ['adder'],
 *   imports: [RedisModule],
 *   inject: [REDIS_CLIENT],
 *   useFactory: (client: Redis) => ({
 *     channels: [{ name: 'adder', storage: new RedisChannelStorage({ client }) }],
 *   }),
 * });
 * ```
 */
export interface StageFeatureAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /**
   * The names of the channels the factory declares, exactly: a name the factory leaves out, or a
   * channel it declares that is not listed here, fails the bootstrap with `InvalidOptionError`.
   */
  readonly channels: readonly string[];
  /** Resolves the registration (channels, supervisor) from the providers in `inject`. */
  readonly useFactory: (...args: never[]) => StageFeatureOptions | Promise<StageFeatureOptions>;
  /** The providers handed to `useFactory`, in order. */
  readonly inject?: FactoryProvider['inject'];
}
