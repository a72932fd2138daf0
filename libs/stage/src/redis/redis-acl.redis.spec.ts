import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisTransportError } from './errors/redis-transport-error.js';
import { RedisChannelStorage } from './redis-channel-storage.js';
import { deleteKeys, testRedis, uniquePrefix } from './redis-server.spec-helper.js';
import type { TestRedis } from './redis-server.spec-helper.js';
import { Channel } from '../core/channel/channel.js';
import { eventually } from '../core/channel/channel-behaviour.spec-helper.js';
import { expectBalanced, newRun, record } from '../core/channel/channel.spec-helper.js';
import { handleChannel } from '../core/channel/handle-channel.js';
import { TaskGroup } from '../core/group/task-group.js';

const prefix = uniquePrefix('acl');
/** An ACL user of this test run only, allowed the keys under `prefix` and nothing else. */
const user = `stage-test-${process.pid}`;
const password = randomBytes(12).toString('base64url');
let redis: TestRedis;
let admin: Redis;
let opened: Channel<unknown, unknown>[] = [];
let groups: TaskGroup[] = [];
let counter = 0;

beforeAll(async () => {
  redis = await testRedis();
  admin = new Redis(redis.url);
  await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, `~${prefix}*`, '&*', '+@all');
});

afterEach(async () => {
  await Promise.all(opened.map((channel) => channel.close({ timeoutMs: 100 })));
  await Promise.all(groups.map((group) => group.stop({ timeoutMs: 100 })));
  opened = [];
  groups = [];
});

afterAll(async () => {
  await admin.call('ACL', 'DELUSER', user);
  await deleteKeys(redis.url, prefix);
  admin.disconnect();
  await redis.stop();
});

/** Where the test's Redis is, as connection options. */
function server(): RedisOptions {
  const url = new URL(redis.url);
  return { host: url.hostname, port: Number(url.port || 6379) };
}

/** A channel on Redis reached with `connection`, under `keyPrefix`. */
function channelOn(connection: string | RedisOptions, keyPrefix = prefix): Channel<string, string> {
  const channel = new Channel<string, string>({
    name: `acl-${++counter}`,
    maxDeliveries: 1,
    storage: new RedisChannelStorage<string>({
      connection,
      keyPrefix,
      blockMs: 50,
      closeTimeoutMs: 200,
    }),
  });
  opened.push(channel);
  return channel;
}

/** Starts a handler-mode group echoing the channel's requests, failing on `poison`. */
function echo(channel: Channel<string, string>): void {
  const group = new TaskGroup({
    name: 'echo',
    task: handleChannel(channel, (body) => {
      if (body === 'poison') throw new Error('cannot handle it');
      return body;
    }),
  });
  groups.push(group);
  group.start();
}

/** The connections the server has for `name`. */
async function connectionsOf(name: string): Promise<number> {
  const list = String(await admin.call('CLIENT', 'LIST'));
  return list.split('\n').filter((line) => line.includes(` user=${name} `)).length;
}

describe('RedisChannelStorage', () => {
  describe('as an ACL user', () => {
    it.each([
      ['connection options', () => ({ ...server(), username: user, password })],
      ['a redis:// URL', () => `redis://${user}:${password}@${server().host}:${server().port}`],
    ])(
      'sends, reads, replies and dead-letters with the username and password of %s',
      async (_given, connection) => {
        const channel = channelOn(connection());
        echo(channel);

        expect(await channel.request('echo', { timeoutMs: 5_000 })).toBe('echo');
        await channel.send('poison');
        await eventually(() => channel.stats().deadLettered === 1, 2_000, 'the dead letter');

        // Commands, blocking reads and the reply subscription: all as the ACL user.
        expect(await connectionsOf(user)).toBeGreaterThanOrEqual(3);
        expect(channel.stats()).toMatchObject({ handled: 1, deadLettered: 1 });
        expectBalanced(channel);
      },
    );

    it('rejects a send with a RedisTransportError that names the refused password', async () => {
      const channel = channelOn({ ...server(), username: user, password: 'wrong' });

      const refused = channel.send('x');

      await expect(refused).rejects.toThrow(RedisTransportError);
      await expect(refused).rejects.toThrow(
        `Redis channel "${channel.name}" could not store message`,
      );
      await expect(refused).rejects.toSatisfy(
        (error) =>
          error instanceof RedisTransportError &&
          (error.cause as Error).message.startsWith('WRONGPASS'),
      );
      await expect(channel.request('y', { timeoutMs: 5_000 })).rejects.toThrow(/WRONGPASS/);
      expect(channel.stats()).toMatchObject({ accepted: 2, withdrawn: 2, published: 0 });
      expectBalanced(channel);
    });

    it('reports a consumer’s failing reads as storage-failed with the refused password', async () => {
      const channel = channelOn({ ...server(), username: user, password: 'wrong' });
      const events = record(channel);

      const waiting = channel.receive(newRun());

      await eventually(
        () => events.some((event) => event.type === 'storage-failed'),
        2_000,
        'the read to fail',
      );
      const failure = events.find((event) => event.type === 'storage-failed');
      expect(failure?.type === 'storage-failed' && failure.error).toBeInstanceOf(
        RedisTransportError,
      );
      expect(String((failure as { error: Error }).error.message)).toMatch(/WRONGPASS/);
      await channel.close({ timeoutMs: 50 });
      await expect(waiting).resolves.toBeUndefined();
    });

    it('is refused, with a RedisTransportError, the keys outside what the ACL allows', async () => {
      const channel = channelOn(
        { ...server(), username: user, password },
        `stage-test:acl-outside:${process.pid}:`,
      );

      await expect(channel.send('x')).rejects.toSatisfy(
        (error) =>
          error instanceof RedisTransportError && /NOPERM/.test((error.cause as Error).message),
      );
    });
  });
});
