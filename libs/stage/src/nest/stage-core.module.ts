import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';

import { StageChannels } from './stage-channels.js';
import { StageConfiguration } from './stage-configuration.js';
import { StageExplorer } from './stage.explorer.js';
import { StageRegistry } from './stage.registry.js';
import { StageRuntime } from './stage-runtime.js';

/**
 * The application's one Stage core: configuration, runtime, explorer and registry. A static
 * module, so Nest instantiates it once however many `StageModule` imports pull it in; global, so
 * its lifecycle hooks run first at bootstrap and last at shutdown, and `StageRegistry` can be
 * injected anywhere. Internal: applications import `StageModule`.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [StageConfiguration, StageChannels, StageRuntime, StageExplorer, StageRegistry],
  exports: [StageConfiguration, StageChannels, StageRuntime, StageRegistry],
})
export class StageCoreModule {}
