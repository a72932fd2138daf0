import { type DynamicModule, type FactoryProvider, Module } from '@nestjs/common';

import { getChannelToken } from './channel-token.js';
import { declaredChannelNames, resolveFeatureOptions } from './resolve-feature-options.js';
import type { ResolvedFeatureOptions } from './resolve-feature-options.js';
import { StageChannels } from './stage-channels.js';
import { StageCoreModule } from './stage-core.module.js';
import type { StageFeatureOptions } from './stage-feature-options.js';

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
    const id = ++registrations;
    const names = declaredChannelNames(options);
    const channels = names.map((name): FactoryProvider => ({
      provide: getChannelToken(name),
      useFactory: (store: StageChannels, registration: FeatureRegistration) =>
        store.obtain(name, registration.options.channels),
      inject: [StageChannels, STAGE_FEATURE],
    }));
    return {
      module: StageFeatureModule,
      imports: [StageCoreModule],
      providers: [
        {
          provide: STAGE_FEATURE,
          useFactory: (): FeatureRegistration => ({ options: resolveFeatureOptions(options) }),
        },
        { provide: `StageFeature#${id}`, useValue: id },
        ...channels,
      ],
      exports: names.map(getChannelToken),
    };
  }
}
