import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisChannelStorage } from './redis-channel-storage.js';
import { deleteKeys, testRedis, uniquePrefix } from './redis-server.spec-helper.js';
import type { TestRedis } from './redis-server.spec-helper.js';
import { Channel } from '../core/channel/channel.js';
import { eventually } from '../core/channel/channel-behaviour.spec-helper.js';
import { expectBalanced } from '../core/channel/channel.spec-helper.js';
import { handleChannel } from '../core/channel/handle-channel.js';
import { TaskGroup } from '../core/group/task-group.js';

const prefix = uniquePrefix('expired-window');
let redis: TestRedis;
let raw: Redis;

beforeAll(async () => {
  redis = await testRedis();
  raw = new Redis(redis.url);
});

afterAll(async () => {
  await deleteKeys(redis.url, prefix);
  raw.disconnect();
  await redis.stop();
});

describe('a Redis channel whose consumer is busy', () => {
  it('withdraws, once, acknowledged, a request that expired while waiting in the window, and never hands it out', async () => {
    const name = `expired-${Date.now()}`;
    const stream = `${prefix}{${name}}`;
    const channel = new Channel<string, string>({
      name,
      storage: new RedisChannelStorage<string>({
        connection: redis.url,
        keyPrefix: prefix,
        blockMs: 20,
        closeTimeoutMs: 500,
      }),
    });
    const handed: string[] = [];
    const group = new TaskGroup({
      name: 'workers',
      task: handleChannel(channel, async (body) => {
        handed.push(body);
        if (body === 'slow') await new Promise((resolve) => setTimeout(resolve, 300));
        return `done ${body}`;
      }),
    });
    group.start();

    const slow = channel.request('slow');
    await eventually(() => handed.length === 1, 2_000, 'the slow one in hand');
    const expiring = channel.request('expiring', { timeoutMs: 50 }).catch((e: Error) => e.name);
    const after = channel.request('after');

    await expect(expiring).resolves.toBe('RequestTimeoutError');
    await expect(slow).resolves.toBe('done slow');
    await expect(after).resolves.toBe('done after');

    expect(handed).toEqual(['slow', 'after']);
    const stats = channel.stats();
    expectBalanced(channel as Channel<unknown, unknown>);
    await eventually(async () => (await raw.xpending(stream, 'stage'))[0] === 0, 2_000, 'acks');
    await group.stop();
    await channel.close({ timeoutMs: 500 });
    expectBalanced(channel as Channel<unknown, unknown>);
    expect(stats).toMatchObject({ received: 3, handled: 2, withdrawn: 1, deadLettered: 0 });
  });
});
