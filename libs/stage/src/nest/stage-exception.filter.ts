import { type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

import { StageError } from '../core/errors/stage-error.js';
import { toHttpException } from './to-http-exception.js';

/**
 * Answers HTTP requests that failed with a Stage error with the right status (see
 * {@link toHttpException}): closed, full or not started: 503; request timed out: 504;
 * dead-lettered: 500; client disconnected: 499. Any other error, Stage's included, goes on to
 * Nest's default handling, unchanged.
 *
 * **Opt-in, not global by default**: Stage does not change how an application answers errors
 * unless asked. Register it as a global filter through the injector (recommended; it then gets the
 * HTTP adapter by itself), or on a controller with `@UseFilters(StageExceptionFilter)`:
 *
 * ```ts
 * @Module({ providers: [{ provide: APP_FILTER, useClass: StageExceptionFilter }] })
 * export class AppModule {}
 * // or, outside the injector:
 * app.useGlobalFilters(new StageExceptionFilter(app.getHttpAdapter()));
 * ```
 *
 * HTTP only: in another context (microservices, WebSockets) the error is rethrown untouched.
 */
@Catch(StageError)
export class StageExceptionFilter extends BaseExceptionFilter<unknown> {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    super.catch(toHttpException(exception) ?? exception, host);
  }
}
