import { describe, expect, it } from 'vitest';
import { RedisTransportError } from './redis-transport-error.js';
import { isStageError } from '../../core/errors/stage-error.js';

describe('RedisTransportError', () => {
  it('names the channel, the operation and the cause, in one sentence each', () => {
    const cause = new Error('WRONGPASS invalid username-password pair or user is disabled.');

    const error = new RedisTransportError('jobs', 'store message m-1', cause);

    expect(error.message).toMatch(
      /^Redis channel "jobs" could not store message m-1: WRONGPASS invalid username-password pair or user is disabled\. Check that /,
    );
    expect(error.message).not.toContain('..');
    expect(error).toMatchObject({ channel: 'jobs', operation: 'store message m-1', cause });
    expect(isStageError(error, 'STAGE_REDIS_TRANSPORT')).toBe(true);
  });

  it('says the storage is closed when there is no cause, and words a thrown value', () => {
    expect(new RedisTransportError('jobs', 'write').message).toContain(
      'could not write: the storage is closed. Check',
    );
    expect(new RedisTransportError('jobs', 'read', 'socket gone. ').message).toContain(
      'could not read: socket gone. Check',
    );
  });
});
