import { type DynamicModule, Module } from '@nestjs/common';
import { type ChannelDeclaration, StageModule } from 'nestjs-stage';

import { ADDER_CHANNEL } from './adder-channel.js';
import { ChannelAdderController } from './channel-adder.controller.js';
import { ChannelAdderService } from './channel-adder.service.js';
import { SECOND_DEGREE_OPTIONS, type SecondDegreeOptions } from './second-degree-options.js';

/**
 * The adder in the second degree: a Stage channel feeding a supervised handler, behind
 * `GET /v2/add`. Needs `StageModule.forRoot()` (or defaults) and `CrashModule` in the
 * application; `StageExceptionFilter` turns Stage's errors into HTTP statuses.
 *
 * The channel's declaration is where its storage is chosen: in memory by default, or the
 * `storage` given, for example a `RedisChannelStorage` that every replica of the application
 * shares. Nothing else changes between the two.
 */
@Module({})
export class SecondDegreeModule {
  static forRoot(options: SecondDegreeOptions): DynamicModule {
    const adder: ChannelDeclaration =
      options.storage === undefined
        ? ADDER_CHANNEL
        : { ...ADDER_CHANNEL, storage: options.storage };
    return {
      module: SecondDegreeModule,
      imports: [StageModule.forFeature({ channels: [adder] })],
      controllers: [ChannelAdderController],
      providers: [{ provide: SECOND_DEGREE_OPTIONS, useValue: options }, ChannelAdderService],
    };
  }
}
