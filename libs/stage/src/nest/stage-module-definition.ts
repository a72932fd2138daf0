import { ConfigurableModuleBuilder } from '@nestjs/common';

import type { StageModuleOptions } from './stage-module-options.js';

/**
 * The builder-generated base of `StageModule`: `forRoot(options)` and `forRootAsync({ useFactory,
 * inject, imports, useClass, useExisting })`, with `createStageOptions()` as the factory method
 * of an options class.
 */
export const {
  ConfigurableModuleClass: ConfigurableStageModule,
  MODULE_OPTIONS_TOKEN: STAGE_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE: STAGE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<StageModuleOptions>({ moduleName: 'Stage' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createStageOptions')
  .build();

/** Options of `StageModule.forRootAsync()`. */
export type StageModuleAsyncOptions = typeof STAGE_ASYNC_OPTIONS_TYPE;

/** A class that resolves the root options, for `forRootAsync({ useClass })` or `useExisting`. */
export interface StageOptionsFactory {
  createStageOptions(): StageModuleOptions | Promise<StageModuleOptions>;
}
