import { describe, expect, it } from 'vitest';

import { ChannelClosedError } from '../core/errors/channel-closed-error.js';
import { ChannelFullError } from '../core/errors/channel-full-error.js';
import { ChannelNotStartedError } from '../core/errors/channel-not-started-error.js';
import { DeadLetteredError } from '../core/errors/dead-lettered-error.js';
import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { RequestTimeoutError } from '../core/errors/request-timeout-error.js';
import { ClientDisconnectedError } from './errors/client-disconnected-error.js';
import { StageNotRunningError } from './errors/stage-not-running-error.js';
import { toHttpException } from './to-http-exception.js';
import { RedisTransportError } from '../redis/errors/redis-transport-error.js';

describe('toHttpException', () => {
  it.each([
    [new ChannelClosedError('adder'), 503],
    [new ChannelFullError('adder', 1, 'reject'), 503],
    [new ChannelNotStartedError('adder', 1), 503],
    [new StageNotRunningError('start("x")', 'shutting-down'), 503],
    [new RedisTransportError('adder', 'store message m-1', new Error('ECONNREFUSED')), 503],
    [new RequestTimeoutError('adder', 10, 'id-1'), 504],
    [new DeadLetteredError('adder', 'id-1', 5, new Error('secret detail')), 500],
    [new ClientDisconnectedError(), 499],
  ])('maps %s to %i, with its code and the error as cause', (error, status) => {
    const http = toHttpException(error);

    expect(http?.getStatus()).toBe(status);
    expect(http?.getResponse()).toMatchObject({ statusCode: status, code: error.code });
    expect(http?.cause).toBe(error);
  });

  it('never puts the error message or its cause in the response', () => {
    const error = new DeadLetteredError('adder', 'id-1', 5, new Error('secret detail'));

    expect(JSON.stringify(toHttpException(error)?.getResponse())).not.toMatch(/secret|adder/);
  });

  it('leaves other errors alone', () => {
    expect(toHttpException(new InvalidOptionError('x', 'y', 1, 'z'))).toBeUndefined();
    expect(toHttpException(new Error('plain'))).toBeUndefined();
    expect(toHttpException('not an error')).toBeUndefined();
  });
});
