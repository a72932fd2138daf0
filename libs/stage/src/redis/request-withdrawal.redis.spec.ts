import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisChannelStorage } from './redis-channel-storage.js';
import { startRedisServer, stopRedisServer, useRedisSpec } from './redis-server.spec-helper.js';
import { Channel } from '../core/channel/channel.js';
import { eventually } from '../core/channel/channel-behaviour.spec-helper.js';
import { expectBalanced, outcome } from '../core/channel/channel.spec-helper.js';

const spec = useRedisSpec('withdrawal');
const { prefix } = spec;

/** A channel of a fresh name on the Redis at `url`, and its stream's key. */
function requests(url: string): { channel: Channel<string, string>; stream: string } {
  const name = spec.freshName('withdrawal');
  const channel = new Channel<string, string>({
    name,
    storage: new RedisChannelStorage<string>({
      connection: url,
      keyPrefix: prefix,
      blockMs: 50,
      closeTimeoutMs: 200,
    }),
  });
  spec.track(channel);
  return { channel, stream: `${prefix}{${name}}` };
}

/** The bodies of the entries in `stream`, as stored. */
async function storedBodies(client: Redis, stream: string): Promise<string[]> {
  const entries = await client.xrange(stream, '-', '+');
  return entries.map(([, fields]) => fields[fields.indexOf('body') + 1]!);
}

/** Sends a request nobody answers and waits until Redis has it: the channel can write at once. */
async function warmUp(channel: Channel<string, string>): Promise<void> {
  void channel.request('warm-up', { timeoutMs: 5_000 }).catch(() => undefined);
  await eventually(() => channel.stats().published === 1, 2_000, 'the warm-up request');
}

describe('RedisChannelStorage', () => {
  describe('a request whose sender gives up before Redis confirmed it', () => {
    it('is never written when it gives up while waiting for the reply subscription', async () => {
      const { channel, stream } = requests(spec.redis.url);
      const controller = new AbortController();
      const reply = outcome(channel.request('aborted', { signal: controller.signal }));

      controller.abort(new Error('gone'));
      await channel.send('after');

      expect(reply.error).toEqual(new Error('gone'));
      expect(await storedBodies(spec.raw, stream)).toEqual(['"after"']);
      expect(channel.stats()).toMatchObject({ accepted: 2, withdrawn: 1, published: 1 });
      expectBalanced(channel);
    });

    it('is taken out of its turn’s batch when it gives up in the turn it was sent', async () => {
      const { channel, stream } = requests(spec.redis.url);
      await warmUp(channel);
      const controller = new AbortController();
      const reply = outcome(channel.request('aborted', { signal: controller.signal }));

      controller.abort(new Error('gone'));
      await channel.send('after');

      expect(reply.error).toEqual(new Error('gone'));
      expect(await storedBodies(spec.raw, stream)).toEqual(['"warm-up"', '"after"']);
      expect(channel.stats()).toMatchObject({ accepted: 3, withdrawn: 1, published: 2 });
      expectBalanced(channel);
    });

    it('is deleted once written when it gives up while Redis writes it', async () => {
      const server = await startRedisServer();
      const client = new Redis(server.url);
      try {
        const { channel, stream } = requests(server.url);
        await warmUp(channel);
        const controller = new AbortController();
        server.process.kill('SIGSTOP'); // the entry is sent, and Redis does not answer yet
        const reply = outcome(channel.request('aborted', { signal: controller.signal }));
        await new Promise((resolve) => setImmediate(resolve));

        controller.abort(new Error('gone'));
        server.process.kill('SIGCONT');

        await eventually(async () => (await client.xlen(stream)) === 1, 2_000, 'the deletion');
        const info = (await client.call('XINFO', 'STREAM', stream)) as unknown[];
        expect(info[info.indexOf('entries-added') + 1]).toBe(2);
        expect(await storedBodies(client, stream)).toEqual(['"warm-up"']);
        expect(reply.error).toEqual(new Error('gone'));
        expect(channel.stats()).toMatchObject({ accepted: 2, withdrawn: 1, published: 1 });
        expectBalanced(channel);
      } finally {
        server.process.kill('SIGCONT');
        client.disconnect();
        await stopRedisServer(server.process);
      }
    });
  });
});
