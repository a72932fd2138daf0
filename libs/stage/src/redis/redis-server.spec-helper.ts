import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** A Redis server for tests: the one at `REDIS_URL`, or one started here. */
export interface TestRedis {
  readonly url: string;
  /** Stops the server if it was started here. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'Redis tests need a Redis server: none answers at REDIS_URL (default redis://127.0.0.1:6379) ' +
  'and there is no `redis-server` on the PATH to start one. Install it (Debian/Ubuntu: ' +
  '`apt-get install redis-server`, macOS: `brew install redis`) or set REDIS_URL.';

/** Whether something answers PING at `url`, within half a second. */
export async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts a private `redis-server` (no persistence) on `port`, by default a free one, resolving
 * once it answers; give the port of one stopped earlier to bring it back.
 *
 * @throws with an install hint when there is no `redis-server` on the PATH.
 */
export async function startRedisServer(
  port?: number,
): Promise<{ url: string; port: number; process: ChildProcess }> {
  if (spawnSync('redis-server', ['--version']).error !== undefined) throw new Error(INSTALL_HINT);
  port ??= await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await portOpen(port)) return { url, port, process: child };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

/** Stops a server started by {@link startRedisServer} and waits for it to exit. */
export async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/**
 * The Redis server for a test file: `REDIS_URL` (default `redis://127.0.0.1:6379`) when something
 * answers there, else a private `redis-server` started on a free port. Fails (never skips) with an
 * install hint when neither is possible.
 */
export async function testRedis(): Promise<TestRedis> {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  if (await answers(url)) return { url, stop: async () => {} };
  const started = await startRedisServer();
  return { url: started.url, stop: () => stopRedisServer(started.process) };
}

/** A key prefix of its own for one test file, so that files run in parallel. */
export function uniquePrefix(file: string): string {
  return `stage-test:${file}:${process.pid}:${Date.now().toString(36)}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true });
  client.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** What a Redis spec file works with: set up before its tests, torn down after them. */
export interface RedisSpecFixture {
  /** The key prefix of the file's keys, all deleted after its last test. */
  readonly prefix: string;
  /** The server the file's tests use. */
  readonly redis: TestRedis;
  /** A client of the file's own, to look at and prepare the server's state. */
  readonly raw: Redis;
  /** Has `channel` closed after the current test; returns it. */
  track<TChannel extends Closable>(channel: TChannel): TChannel;
  /** A name no other test of the file uses: `<base>-<n>`. */
  freshName(base: string): string;
}

/** Anything the fixture closes after a test: a channel. */
interface Closable {
  close(options: { timeoutMs: number }): Promise<unknown>;
}

/**
 * Registers the set-up and tear-down a Redis spec file needs (its server, a raw client, the
 * channels to close after each test, its keys to delete at the end) and returns what its tests
 * use. Call it once, at the top level of the file. `closeTimeoutMs` bounds each channel's close.
 */
export function useRedisSpec(file: string, { closeTimeoutMs = 100 } = {}): RedisSpecFixture {
  const prefix = uniquePrefix(file);
  let redis: TestRedis | undefined;
  let raw: Redis | undefined;
  let opened: Closable[] = [];
  let names = 0;

  beforeAll(async () => {
    redis = await testRedis();
    raw = new Redis(redis.url);
  });

  afterEach(async () => {
    const closing = opened;
    opened = [];
    await Promise.all(closing.map((channel) => channel.close({ timeoutMs: closeTimeoutMs })));
  });

  afterAll(async () => {
    if (redis === undefined) return;
    await deleteKeys(redis.url, prefix);
    raw?.disconnect();
    await redis.stop();
  });

  const ready = <TValue>(value: TValue | undefined, what: string): TValue => {
    if (value === undefined) throw new Error(`${what} is only there once the tests run`);
    return value;
  };
  return {
    prefix,
    get redis() {
      return ready(redis, 'The test Redis');
    },
    get raw() {
      return ready(raw, 'The raw Redis client');
    },
    track(channel) {
      opened.push(channel);
      return channel;
    },
    freshName: (base) => `${base}-${++names}`,
  };
}
