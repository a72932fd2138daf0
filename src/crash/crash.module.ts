import { type DynamicModule, Module } from '@nestjs/common';

import { CrashInjector, type CrashInjectorOptions } from './crash-injector.js';

/**
 * Provides the application's one {@link CrashInjector} to every module (global), so both
 * degrees draw from it and the demo reads its counts in one place.
 */
@Module({})
export class CrashModule {
  static forRoot(options: CrashInjectorOptions): DynamicModule {
    return {
      module: CrashModule,
      global: true,
      providers: [{ provide: CrashInjector, useValue: new CrashInjector(options) }],
      exports: [CrashInjector],
    };
  }
}
