import {
  type DynamicModule,
  type FactoryProvider,
  Inject,
  Injectable,
  Module,
  type OnModuleDestroy,
  type Provider,
} from '@nestjs/common';

import { getChannelToken } from './channel-token.js';
import {
  asyncChannelNames,
  declaredChannelNames,
  resolveAsyncFeatureOptions,
  resolveFeatureOptions,
} from './resolve-feature-options.js';
import type { ResolvedFeatureOptions } from './resolve-feature-options.js';
import { StageChannels } from './stage-channels.js';
import { StageCoreModule } from './stage-core.module.js';
import { StageRuntime } from './stage-runtime.js';
import type { StageFeatureAsyncOptions, StageFeatureOptions } from './stage-feature-options.js';

/** The token, inside a feature module, of its {@link FeatureRegistration}. Internal. */
export const STAGE_FEATURE = Symbol('STAGE_FEATURE');

/** One `StageModule.forFeature()` call, as the explorer finds it in the module graph. */
export interface FeatureRegistration {
  readonly options: ResolvedFeatureOptions;
}

/** Numbers `forFeature()` calls, so that each call is a module of its own (see below). */
let registrations = 0;

/**
 * The host of one `StageModule.forFeature()` registration: its channel providers, exported to
 * the importing modules. Internal: applications call `StageModule.forFeature()`.
 */
@Module({})
export class StageFeatureModule {
  /**
   * Builds the dynamic module of one registration. Each call gets a unique id, so that Nest never
   * merges two calls whose options merely look alike (it hashes a dynamic module's metadata): two
   * calls are two registrations, compared by the explorer. Importing the module object of one
   * call in several modules makes it one registration with several importers.
   */
  static register(options: StageFeatureOptions): DynamicModule {
    return registration(declaredChannelNames(options), {
      provide: STAGE_FEATURE,
      useFactory: (): FeatureRegistration => ({ options: resolveFeatureOptions(options) }),
    });
  }

  /**
   * Builds the dynamic module of one `forFeatureAsync()` registration: the channel providers of
   * the listed names, the registration resolved by the user's factory (which the channel
   * providers wait for), and the closing of those channels in this module's destroy phase.
   *
   * @throws InvalidOptionError at once for options that cannot define a module.
   */
  static registerAsync(options: StageFeatureAsyncOptions): DynamicModule {
    const names = asyncChannelNames(options);
    const { useFactory, inject = [], imports = [] } = options;
    const module = registration(
      names,
      {
        provide: STAGE_FEATURE,
        useFactory: async (...dependencies: never[]): Promise<FeatureRegistration> => ({
          options: resolveAsyncFeatureOptions(await useFactory(...dependencies), names),
        }),
        inject,
      },
      FeatureChannelsCloser,
    );
    return { ...module, imports: [...(module.imports ?? []), ...imports] };
  }
}

/**
 * Closes the channels of a `forFeatureAsync()` registration in its module's destroy phase. Their
 * storage may use providers injected into the factory (a Redis client): Nest destroys a module
 * before the modules it imports, so the channels close before those providers are. Their
 * handler-mode consumers, wherever they are declared (a global module is destroyed last), stop
 * first and drain them (see `StageRuntime.closeChannels`). Never rejects. Internal.
 */
@Injectable()
class FeatureChannelsCloser implements OnModuleDestroy {
  constructor(
    private readonly runtime: StageRuntime,
    @Inject(STAGE_FEATURE) private readonly feature: FeatureRegistration,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.runtime.closeChannels(this.feature.options.channels.map((channel) => channel.name));
  }
}

/**
 * The dynamic module of one registration: its `STAGE_FEATURE` provider, a provider of each
 * channel name (the first declaration of a name builds its channel, see `StageChannels.obtain`),
 * and `extra` providers. Each call gets a unique id, so that Nest never merges two registrations.
 */
function registration(
  names: readonly string[],
  feature: FactoryProvider,
  ...extra: Provider[]
): DynamicModule {
  const id = ++registrations;
  const channels = names.map((name): FactoryProvider => ({
    provide: getChannelToken(name),
    useFactory: (store: StageChannels, registered: FeatureRegistration) =>
      store.obtain(name, registered.options.channels),
    inject: [StageChannels, STAGE_FEATURE],
  }));
  return {
    module: StageFeatureModule,
    imports: [StageCoreModule],
    providers: [feature, { provide: `StageFeature#${id}`, useValue: id }, ...channels, ...extra],
    exports: names.map(getChannelToken),
  };
}
