import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisChannelStorage } from './redis-channel-storage.js';
import { liveHandles, trackStageResources } from './redis-resources.spec-helper.js';
import type { LiveHandles } from './redis-resources.spec-helper.js';
import {
  deleteKeys,
  startRedisServer,
  stopRedisServer,
  testRedis,
  uniquePrefix,
} from './redis-server.spec-helper.js';
import type { TestRedis } from './redis-server.spec-helper.js';
import { Channel } from '../core/channel/channel.js';
import { eventually } from '../core/channel/channel-behaviour.spec-helper.js';
import { expectBalanced } from '../core/channel/channel.spec-helper.js';
import { handleChannel } from '../core/channel/handle-channel.js';
import { TaskGroup } from '../core/group/task-group.js';

const prefix = uniquePrefix('given-client');
let redis: TestRedis;
let counter = 0;

beforeAll(async () => {
  redis = await testRedis();
});

afterAll(async () => {
  await deleteKeys(redis.url, prefix);
  await redis.stop();
});

/** The listeners on `client`, by event: what Stage must leave as it found it. */
function listenersOf(client: Redis): Record<string, number> {
  return Object.fromEntries(
    client.eventNames().map((event) => [String(event), client.listenerCount(event)]),
  );
}

/**
 * A channel on `client` with a handler-mode group echoing its requests, after a request, a send
 * and a failed delivery went through it: every connection the storage makes has been used (reads,
 * replies, acknowledgements, renewals, dead letters).
 */
async function busyChannel(
  client: Redis,
): Promise<{ channel: Channel<string, string>; group: TaskGroup }> {
  const channel = new Channel<string, string>({
    name: `given-client-${++counter}`,
    maxDeliveries: 1,
    storage: new RedisChannelStorage<string>({
      client,
      keyPrefix: prefix,
      blockMs: 50,
      claimIdleMs: 300,
      closeTimeoutMs: 200,
    }),
  });
  const group = new TaskGroup({
    name: 'echo',
    task: handleChannel(channel, (body) => {
      if (body === 'poison') throw new Error('cannot handle it');
      return body;
    }),
  });
  group.start();
  expect(await channel.request('echo', { timeoutMs: 5_000 })).toBe('echo');
  await channel.send('poison');
  await eventually(() => channel.stats().deadLettered === 1, 2_000, 'the dead letter');
  return { channel, group };
}

/** Makes a private server unreachable: killed (`stopped`) or paused (`frozen`). */
async function cutOff(
  server: { process: ChildProcess },
  outage: 'stopped' | 'frozen',
): Promise<void> {
  if (outage === 'stopped') await stopRedisServer(server.process);
  else server.process.kill('SIGSTOP');
}

describe('RedisChannelStorage', () => {
  describe('with a client passed in', () => {
    it('leaves no socket or timer of its own once closed, and the client open, usable and as it found it', async () => {
      const client = new Redis(redis.url);
      const stages = trackStageResources();
      try {
        expect(await client.ping()).toBe('PONG');
        const listeners = listenersOf(client);
        const before = await liveHandles();
        const { channel, group } = await busyChannel(client);

        await channel.close({ timeoutMs: 100 });
        await group.stop({ timeoutMs: 100 });

        expect(await stages.alive()).toEqual([]);
        expectNoMoreThan(await liveHandles(), before);
        expect(client.status).toBe('ready');
        expect(await client.ping()).toBe('PONG');
        expect(listenersOf(client)).toEqual(listeners);
        expectBalanced(channel);
      } finally {
        stages.stop();
        client.disconnect();
      }
    });

    it.each(['stopped', 'frozen'] as const)(
      'leaves no socket or timer of its own once closed while Redis is %s, and never closes the client',
      async (outage) => {
        let server = await startRedisServer();
        const client = new Redis(server.url);
        const stages = trackStageResources();
        try {
          expect(await client.ping()).toBe('PONG');
          const listeners = listenersOf(client);
          const before = await liveHandles();
          const { channel, group } = await busyChannel(client);
          await cutOff(server, outage);

          await channel.close({ timeoutMs: 50 });
          await group.stop({ timeoutMs: 50 });

          expect(await stages.alive()).toEqual([]);
          expect(client.status).not.toBe('end');
          // Redis comes back: the client, which is the user's, reconnects and works again.
          if (outage === 'stopped') server = await startRedisServer(server.port);
          else server.process.kill('SIGCONT');
          expect(await client.ping()).toBe('PONG');
          expect(client.status).toBe('ready');
          expectNoMoreThan(await liveHandles(), before);
          expect(listenersOf(client)).toEqual(listeners);
          expectBalanced(channel);
        } finally {
          stages.stop();
          client.disconnect();
          server.process.kill('SIGCONT');
          await stopRedisServer(server.process);
        }
      },
    );
  });
});

/** Asserts that no more sockets and no more timers are alive than `before`. */
function expectNoMoreThan(after: LiveHandles, before: LiveHandles): void {
  expect(after.sockets).toBeLessThanOrEqual(before.sockets);
  expect(after.timers).toBeLessThanOrEqual(before.timers);
}
