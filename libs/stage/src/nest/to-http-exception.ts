import { HttpException, HttpStatus } from '@nestjs/common';

import { isStageError, type StageErrorCode } from '../core/errors/stage-error.js';
import type {} from '../redis/errors/redis-transport-error.js';

/** The status code nginx uses for a client that closed its request; no client ever sees it. */
const CLIENT_CLOSED_REQUEST = 499;

/** How each Stage error a request can meet reads over HTTP: status, reason and a safe message. */
const MAPPING: Partial<Record<StageErrorCode, readonly [number, string, string]>> = {
  STAGE_CHANNEL_CLOSED: [
    HttpStatus.SERVICE_UNAVAILABLE,
    'Service Unavailable',
    'The service is shutting down; retry the request.',
  ],
  STAGE_CHANNEL_FULL: [
    HttpStatus.SERVICE_UNAVAILABLE,
    'Service Unavailable',
    'The service is overloaded; retry the request later.',
  ],
  STAGE_CHANNEL_NOT_STARTED: [
    HttpStatus.SERVICE_UNAVAILABLE,
    'Service Unavailable',
    'The service is starting; retry the request later.',
  ],
  STAGE_REDIS_TRANSPORT: [
    HttpStatus.SERVICE_UNAVAILABLE,
    'Service Unavailable',
    'The service cannot reach its message store; retry the request later.',
  ],
  STAGE_NOT_RUNNING: [
    HttpStatus.SERVICE_UNAVAILABLE,
    'Service Unavailable',
    'The service is not running; retry the request later.',
  ],
  STAGE_REQUEST_TIMEOUT: [
    HttpStatus.GATEWAY_TIMEOUT,
    'Gateway Timeout',
    'The request got no reply in time.',
  ],
  STAGE_DEAD_LETTERED: [
    HttpStatus.INTERNAL_SERVER_ERROR,
    'Internal Server Error',
    'The request failed on every attempt to handle it and was set aside.',
  ],
  STAGE_CLIENT_DISCONNECTED: [
    CLIENT_CLOSED_REQUEST,
    'Client Closed Request',
    'The client disconnected before the response.',
  ],
};

/**
 * The HTTP exception for a Stage error a request can meet, or `undefined` for anything else:
 *
 * - 503 for `ChannelClosedError`, `ChannelFullError`, `ChannelNotStartedError`,
 *   `StageNotRunningError` and `RedisTransportError` (a send Redis did not confirm, which was not
 *   accepted): the service cannot take the request now; a retry (here, later, or on another
 *   replica) may succeed.
 * - 504 for `RequestTimeoutError`: the work behind the endpoint did not answer in time.
 * - 500 for `DeadLetteredError`: the application itself failed to handle the request on every
 *   delivery (a bug or a broken dependency, not a transient state), so retrying the same request
 *   is unlikely to help. Not 502: no upstream server answered badly; the handler is part of the
 *   application.
 * - 499 for `ClientDisconnectedError`: nobody is listening any more; answered only so that the
 *   disconnect is not logged as a server error.
 *
 * The body is Nest's usual `{ statusCode, error, message }` plus the error's stable `code`. The
 * message is written for API clients and never includes the error's own message or cause (a
 * dead letter's cause may carry internal details); those stay in the logs and dead letters.
 *
 * @example
 * // In a filter of your own (GraphQL, RPC…):
 * const http = toHttpException(error);
 * if (http !== undefined) return reply(http.getStatus(), http.getResponse());
 */
export function toHttpException(error: unknown): HttpException | undefined {
  if (!isStageError(error)) return undefined;
  const mapped = MAPPING[error.code];
  if (mapped === undefined) return undefined;
  const [statusCode, reason, message] = mapped;
  return new HttpException({ statusCode, error: reason, message, code: error.code }, statusCode, {
    cause: error,
  });
}
