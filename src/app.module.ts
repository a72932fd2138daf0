import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { seededRandom, StageExceptionFilter, StageModule } from 'nestjs-stage';

import { type AppOptions, resolveAppOptions } from './app-options.js';
import { CrashModule } from './crash/crash.module.js';
import { FirstDegreeModule } from './first-degree/first-degree.module.js';
import { PipelineModule } from './pipeline/pipeline.module.js';
import { SecondDegreeModule } from './second-degree/second-degree.module.js';

/**
 * The demo application: the adder, in each degree of Stage, with crashes injected into its
 * workers.
 *
 * - `GET /v1/add?a=1&b=2`, the first degree: a supervised group fed by the application's own
 *   queue; the HTTP handler retries what a crash lost.
 * - `GET /v2/add?a=1&b=2`, the second degree: a supervised handler fed by a Stage channel, which
 *   redelivers what a crash failed; the HTTP handler asks once. Its channel is in memory, or on
 *   Redis with `adderStorage`, shared by every replica.
 * - The pipeline (no endpoint): a ticker feeding an auditor through a Stage channel, under a
 *   `one-for-all` supervisor: a crash of the auditor restarts both. Leave it out with
 *   `pipeline: false`.
 *
 * Stage's errors reach HTTP clients with the right status through `StageExceptionFilter`.
 *
 * @example
 * const app = await NestFactory.create(AppModule.forRoot({ crashRate: 0.05 }));
 */
@Module({})
export class AppModule {
  /**
   * Builds the application module.
   *
   * @throws InvalidOptionError for a bad option, naming it.
   */
  static forRoot(options: AppOptions = {}): DynamicModule {
    const resolved = resolveAppOptions(options);
    const { crashRate, seed, retryAfterMs, maxAttempts, requestTimeoutMs, logging } = resolved;
    const { addWorkMs, adderStorage, pipeline, tickIntervalMs } = resolved;
    return {
      module: AppModule,
      imports: [
        StageModule.forRoot({
          logging,
          // The demo crashes its workers on purpose, tens of times a second. Restart them within
          // milliseconds, and allow that many restarts: the defaults (100 ms to 30 s, 6 restarts
          // per task in 30 s) are made for real failures, which are rarer, and would give up.
          groups: {
            backoff: { minMs: 1, maxMs: 20, resetAfterMs: 50, random: seededRandom(seed) },
            intensity: { maxRestarts: 1_000, withinMs: 1_000 },
          },
        }),
        CrashModule.forRoot({ rate: crashRate, seed }),
        FirstDegreeModule.forRoot({ retryAfterMs, maxAttempts }),
        SecondDegreeModule.forRoot({ requestTimeoutMs, workMs: addWorkMs, storage: adderStorage }),
        ...(pipeline ? [PipelineModule.forRoot({ tickIntervalMs })] : []),
      ],
      providers: [{ provide: APP_FILTER, useClass: StageExceptionFilter }],
    };
  }
}
