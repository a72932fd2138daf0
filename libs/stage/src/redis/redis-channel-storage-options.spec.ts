import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { JSON_SERIALIZER } from './message-serializer.js';
import { defaultConsumerName, resolveRedisOptions } from './redis-channel-storage-options.js';
import type { RedisChannelStorageOptions } from './redis-channel-storage-options.js';
import { fromWireError, toWireError } from './wire-error.js';
import { DeadLetteredError } from '../core/errors/dead-lettered-error.js';
import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { isStageError } from '../core/errors/stage-error.js';

describe('resolveRedisOptions', () => {
  it('applies the documented defaults', () => {
    const options = resolveRedisOptions({ connection: 'redis://example:6379' });

    expect(options).toMatchObject({
      keyPrefix: 'stage:',
      group: 'stage',
      claimIdleMs: 30_000,
      reclaimIntervalMs: 5_000,
      blockMs: 1_000,
      batchSize: 100,
      prefetch: 0,
      deadLetterCapacity: 1024,
      closeTimeoutMs: 2_000,
      serializer: JSON_SERIALIZER,
    });
  });

  it.each([
    [{}, 'connection'],
    [{ connection: 'redis://a', client: {} }, 'client'],
    [{ client: { duplicate: 1 } }, 'client'],
    [{ connection: 42 }, 'connection'],
    [{ connection: 'redis://a', consumer: '' }, 'consumer'],
    [{ connection: 'redis://a', group: ' ' }, 'group'],
    [{ connection: 'redis://a', claimIdleMs: 5 }, 'claimIdleMs'],
    [{ connection: 'redis://a', claimIdleMs: 1000, reclaimIntervalMs: 600 }, 'reclaimIntervalMs'],
    [{ connection: 'redis://a', blockMs: 0 }, 'blockMs'],
    [{ connection: 'redis://a', prefetch: -1 }, 'prefetch'],
    [{ connection: 'redis://a', deadLetterCapacity: 0 }, 'deadLetterCapacity'],
    [{ connection: 'redis://a', serializer: { encode: JSON.stringify } }, 'serializer'],
    [{ connection: 'redis://a', closeTimeoutMs: Number.NaN }, 'closeTimeoutMs'],
    [{ connection: 'redis://a', closeTimeoutMs: 3e9 }, 'closeTimeoutMs'],
    [{ connection: 'redis://a', claimIdleMs: 1e10, reclaimIntervalMs: 3e9 }, 'reclaimIntervalMs'],
    [{ connection: 'redis://a', capacityCheckMs: 3e9 }, 'capacityCheckMs'],
  ])('names the option for %j', (bad, option) => {
    const resolve = () => resolveRedisOptions(bad as unknown as RedisChannelStorageOptions);

    expect(resolve).toThrow(InvalidOptionError);
    expect(resolve).toThrow(`Invalid option "${option}" for a Redis channel storage`);
  });

  it('names the consumer from STAGE_CONSUMER, else the host and STAGE_REPLICA_ID', () => {
    expect(defaultConsumerName({ STAGE_CONSUMER: 'worker-7' })).toBe('worker-7');
    expect(defaultConsumerName({ STAGE_REPLICA_ID: '3' })).toBe(`${hostname()}:3`);
    expect(defaultConsumerName({})).toBe(`${hostname()}:0`);
  });
});

describe('wire errors', () => {
  it('bring a dead-letter error back as its own class, with its cause', () => {
    const sent = new DeadLetteredError('jobs', 'm-1', 3, new TypeError('bad input'));

    const received = fromWireError(JSON.parse(JSON.stringify(toWireError(sent))), 'jobs');

    expect(received).toBeInstanceOf(DeadLetteredError);
    expect(isStageError(received, 'STAGE_DEAD_LETTERED')).toBe(true);
    expect(received).toMatchObject({ messageId: 'm-1', deliveryCount: 3 });
    expect((received.cause as Error).message).toBe('bad input');
    expect((received.cause as Error).name).toBe('TypeError');
  });

  it('keep any thrown value as an Error with its text', () => {
    expect(fromWireError(toWireError('plain text'), 'jobs').message).toBe('plain text');
  });
});
