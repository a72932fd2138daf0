import { afterAll, beforeAll } from 'vitest';
import { RedisChannelStorage } from './redis-channel-storage.js';
import { deleteKeys, testRedis, uniquePrefix } from './redis-server.spec-helper.js';
import type { TestRedis } from './redis-server.spec-helper.js';
import { describeChannelBehaviour } from '../core/channel/channel-behaviour.spec-helper.js';

const prefix = uniquePrefix('behaviour');
let redis: TestRedis;

beforeAll(async () => {
  redis = await testRedis();
});

afterAll(async () => {
  await deleteKeys(redis.url, prefix);
  await redis.stop();
});

// The behaviour suite of every storage, on Redis Streams: one replica per channel here; several
// replicas sharing a channel are tested in redis-channel-storage.redis.spec.ts.
describeChannelBehaviour('Redis Streams', {
  storage: (_name, { deadLetterCapacity }) =>
    new RedisChannelStorage({
      connection: redis.url,
      keyPrefix: prefix,
      consumer: 'behaviour',
      blockMs: 50,
      claimIdleMs: 2_000,
      deadLetterCapacity,
    }),
});
