import 'reflect-metadata';

import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { AppModule } from './app.module.js';
import { readNumber } from './config/read-number.js';

/**
 * `npm start`: the demo application alone, on `PORT` (default 3000). Try
 * `curl 'http://localhost:3000/v1/add?a=1&b=2'`. `CRASH_RATE` (default 0.02) and `SEED` set the
 * crash injection. The pipeline ticks every 100 ms meanwhile, and its auditor crashes at the same
 * rate: expect a one-for-all restart in the logs every few seconds. `SIGTERM` or `Ctrl-C` shuts
 * it down gracefully.
 */
async function main(): Promise<void> {
  const port = readNumber('PORT', process.env['PORT']) ?? 3000;
  const app = await NestFactory.create(
    AppModule.forRoot({
      crashRate: readNumber('CRASH_RATE', process.env['CRASH_RATE']),
      seed: readNumber('SEED', process.env['SEED']),
    }),
    // At shutdown, once the workers have stopped and every request has been answered or refused,
    // end idle keep-alive connections too instead of waiting for them to time out.
    { forceCloseConnections: true },
  );
  app.enableShutdownHooks();
  await app.listen(port);
  new Logger('Demo').log(`The adder listens on ${await app.getUrl()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
