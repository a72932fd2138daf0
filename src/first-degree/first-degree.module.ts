import { type DynamicModule, Module } from '@nestjs/common';

import { AdderQueue } from './adder-queue.js';
import { FIRST_DEGREE_OPTIONS, type FirstDegreeOptions } from './first-degree-options.js';
import { QueueAdderController } from './queue-adder.controller.js';
import { QueueAdderService } from './queue-adder.service.js';

/**
 * The adder in the first degree: a supervised group of workers fed by the application's own
 * queue, behind `GET /v1/add`. Needs `StageModule` and `CrashModule` in the application.
 */
@Module({})
export class FirstDegreeModule {
  static forRoot(options: FirstDegreeOptions): DynamicModule {
    return {
      module: FirstDegreeModule,
      controllers: [QueueAdderController],
      providers: [
        { provide: FIRST_DEGREE_OPTIONS, useValue: options },
        AdderQueue,
        QueueAdderService,
      ],
    };
  }
}
