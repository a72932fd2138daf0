import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisTransportError } from './errors/redis-transport-error.js';
import { RedisChannelStorage } from './redis-channel-storage.js';
import type { RedisChannelStorageOptions } from './redis-channel-storage-options.js';
import {
  connectionCount,
  liveHandles,
  trackStageResources,
} from './redis-resources.spec-helper.js';
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
import { expectBalanced, newRun, outcome } from '../core/channel/channel.spec-helper.js';
import { handleChannel } from '../core/channel/handle-channel.js';
import { ChannelClosedError } from '../core/errors/channel-closed-error.js';
import { TaskGroup } from '../core/group/task-group.js';

const prefix = uniquePrefix('close');
let redis: TestRedis;
let opened: Channel<unknown, unknown>[] = [];
let counter = 0;

beforeAll(async () => {
  redis = await testRedis();
});

afterEach(async () => {
  await Promise.all(opened.map((channel) => channel.close({ timeoutMs: 100 })));
  opened = [];
});

afterAll(async () => {
  await deleteKeys(redis.url, prefix);
  await redis.stop();
});

/** A fresh channel name, so that tests never share a stream. */
function channelName(): string {
  return `close-${++counter}`;
}

/** One replica's channel: the channel `name` on Redis, as consumer `consumer`. */
function replica<TMessage, TReply = void>(
  name: string,
  consumer: string,
  options: Partial<RedisChannelStorageOptions> = {},
): Channel<TMessage, TReply> {
  const channel = new Channel<TMessage, TReply>({
    name,
    redelivery: { minMs: 1, maxMs: 1 },
    storage: new RedisChannelStorage<TMessage>({
      connection: redis.url,
      keyPrefix: prefix,
      consumer,
      blockMs: 50,
      claimIdleMs: 2_000,
      ...options,
    }),
  });
  opened.push(channel as unknown as Channel<unknown, unknown>);
  return channel;
}

/** How much later than its configured deadline a close or a stop may end: timers fire late. */
const MARGIN_MS = 200;

/**
 * Makes a private server unreachable: `stopped` kills it (connections are refused), `frozen`
 * pauses it (connections stay open and nothing answers, as with a server that hangs).
 */
async function cutOff(
  server: { process: ChildProcess },
  outage: 'stopped' | 'frozen',
): Promise<void> {
  if (outage === 'stopped') await stopRedisServer(server.process);
  else server.process.kill('SIGSTOP');
}

describe('RedisChannelStorage', () => {
  describe('close', () => {
    it('rejects a request still waiting for its reply with ChannelClosedError', async () => {
      const channel = replica<string, string>(channelName(), 'requester');
      const reply = channel.request('unanswered');
      const assertion = expect(reply).rejects.toThrow(ChannelClosedError);
      await eventually(() => channel.stats().published === 1);

      await channel.close();

      await assertion;
    });

    it('hands entries still held back for another replica, uncounted, at once', async () => {
      const name = channelName();
      const leaving = replica<string>(name, 'leaving', { claimIdleMs: 60_000 });
      const staying = replica<string>(name, 'staying', { claimIdleMs: 200, reclaimIntervalMs: 20 });
      await leaving.send('job');
      await leaving.receive(newRun());

      const report = await leaving.close({ timeoutMs: 10 });
      const taken = await staying.receive(newRun());

      expect(report).toMatchObject({ inFlight: 1, unacknowledged: 0 });
      expect([taken?.body, taken?.deliveryCount]).toEqual(['job', 1]);
    });

    it('leaves a client passed in open, and closes every connection it made', async () => {
      const client = new Redis(redis.url);
      const before = await connectionCount(client);
      const channel = new Channel<string, string>({
        name: channelName(),
        storage: new RedisChannelStorage<string>({ client, keyPrefix: prefix, blockMs: 50 }),
      });
      const group = new TaskGroup({ name: 'echo', task: handleChannel(channel, (body) => body) });
      group.start();
      expect(await channel.request('echo', { timeoutMs: 5_000 })).toBe('echo');
      expect(await connectionCount(client)).toBeGreaterThan(before);

      await channel.close();
      await group.stop();

      expect(client.status).toBe('ready');
      await eventually(async () => (await connectionCount(client)) === before, 2_000);
      client.disconnect();
    });

    it.each(['stopped', 'frozen'] as const)(
      'finishes within its deadline while Redis is %s, reporting what it could not acknowledge',
      async (outage) => {
        const server = await startRedisServer();
        try {
          const channel = new Channel<string>({
            name: `outage-${outage}`,
            storage: new RedisChannelStorage<string>({
              connection: server.url,
              blockMs: 50,
              closeTimeoutMs: 300,
            }),
          });
          await channel.send('a');
          await channel.send('b');
          const run = newRun();
          const first = await channel.receive(run);
          await channel.receive(run);
          await cutOff(server, outage);
          first?.ack();
          const lateSend = outcome(channel.send('lost?'));

          const started = performance.now();
          const report = await channel.close({ timeoutMs: 50 });
          const elapsed = performance.now() - started;

          // The drain deadline (a delivery is still held), then closeTimeoutMs at most.
          expect(elapsed).toBeLessThan(50 + 300 + MARGIN_MS);
          expect(report).toMatchObject({ inFlight: 1, unacknowledged: 1 });
          await eventually(() => lateSend.done, 1_000, 'the late send');
          expect(lateSend.error).toBeInstanceOf(RedisTransportError);
          expect(channel.stats()).toMatchObject({ withdrawn: 1, handled: 1 });
          expectBalanced(channel);
        } finally {
          server.process.kill('SIGCONT');
          await stopRedisServer(server.process);
        }
      },
    );

    it.each(['stopped', 'frozen'] as const)(
      'lets a handler-mode group stop within its deadline while Redis is %s',
      async (outage) => {
        const server = await startRedisServer();
        try {
          const channel = new Channel<string>({
            name: `group-stop-${outage}`,
            storage: new RedisChannelStorage<string>({
              connection: server.url,
              blockMs: 50,
              closeTimeoutMs: 300,
            }),
          });
          const group = new TaskGroup({
            name: 'workers',
            size: 3,
            task: handleChannel(channel, (body, delivery) =>
              body === 'ignores its signal'
                ? new Promise<void>(() => {})
                : new Promise<void>((resolve) =>
                    delivery.signal.addEventListener('abort', () => resolve()),
                  ),
            ),
          });
          group.start();
          await channel.send('ignores its signal');
          await channel.send('stops when asked');
          await eventually(() => channel.stats().inFlight === 2, 2_000, 'both handlers to start');
          await cutOff(server, outage);

          const started = performance.now();
          const report = await group.stop({ timeoutMs: 200 });
          const elapsed = performance.now() - started;

          expect(elapsed).toBeLessThan(200 + MARGIN_MS);
          expect(report).toMatchObject({ clean: false, settled: 2 });
          expect(report.abandoned).toHaveLength(1);
          const closing = performance.now();
          await channel.close({ timeoutMs: 50 });
          expect(performance.now() - closing).toBeLessThan(50 + 300 + MARGIN_MS);
          expect(channel.stats()).toMatchObject({ inFlight: 0 });
          expectBalanced(channel);
        } finally {
          server.process.kill('SIGCONT');
          await stopRedisServer(server.process);
        }
      },
    );

    it('rejects a send made while Redis is down with RedisTransportError, counted withdrawn', async () => {
      const server = await startRedisServer();
      try {
        const channel = new Channel<string>({
          name: 'down',
          storage: new RedisChannelStorage<string>({ connection: server.url, closeTimeoutMs: 100 }),
        });
        await channel.send('before');
        await stopRedisServer(server.process);

        const sent = outcome(channel.send('during'));

        // ioredis alone would retry the command for about 70 s; the storage's own connection
        // gives up after a few reconnection attempts.
        await eventually(() => sent.done, 15_000, 'the send during the outage');
        expect(sent.error).toBeInstanceOf(RedisTransportError);
        expect(channel.stats()).toMatchObject({ published: 1, withdrawn: 1 });
        expectBalanced(channel as Channel<unknown, unknown>);
        await channel.close({ timeoutMs: 50 });
      } finally {
        await stopRedisServer(server.process);
      }
    }, 30_000);

    it.each(['stopped', 'frozen'] as const)(
      'leaves no socket and no timer behind once closed, with Redis %s',
      async (outage) => {
        const server = await startRedisServer();
        const stages = trackStageResources();
        try {
          const before = await liveHandles();
          const channel = new Channel<string>({
            name: `handles-${outage}`,
            storage: new RedisChannelStorage<string>({
              connection: server.url,
              blockMs: 50,
              closeTimeoutMs: 200,
            }),
          });
          const group = new TaskGroup({ name: 'h', task: handleChannel(channel, () => undefined) });
          group.start();
          await channel.send('x');
          await eventually(() => channel.stats().handled === 1, 2_000, 'the message handled');
          if (outage === 'stopped') await stopRedisServer(server.process);
          else server.process.kill('SIGSTOP'); // a server that hangs: nothing answers, nothing closes

          await channel.close({ timeoutMs: 50 });
          await group.stop({ timeoutMs: 50 });

          const after = await liveHandles();
          expect(after.sockets).toBeLessThanOrEqual(before.sockets);
          expect(after.timers).toBeLessThanOrEqual(before.timers);
          expect(await stages.alive()).toEqual([]); // unref()ed timers included
        } finally {
          stages.stop();
          server.process.kill('SIGCONT');
          await stopRedisServer(server.process);
        }
      },
    );
  });
});
