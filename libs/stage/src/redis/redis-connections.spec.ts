import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveRedisOptions } from './redis-channel-storage-options.js';
import type { RedisChannelStorageOptions } from './redis-channel-storage-options.js';
import { RedisConnections } from './redis-connections.js';
import { RedisChannelStorage } from './redis-channel-storage.js';

// Every connection here is lazy and never used: nothing connects, no server is needed.
let opened: RedisConnections[] = [];

afterEach(async () => {
  await Promise.all(opened.map((connections) => connections.close(0)));
  opened = [];
});

function connections(options: RedisChannelStorageOptions): RedisConnections {
  const made = new RedisConnections(resolveRedisOptions(options), () => {});
  opened.push(made);
  return made;
}

/** The options of `client` that say where and as whom it connects. */
function target(client: Redis): Partial<RedisOptions> {
  const { host, port, username, password, db, tls } = client.options;
  return { host, port, username, password, db, tls };
}

const TLS = { servername: 'redis.internal', rejectUnauthorized: true, ca: 'a CA certificate' };

describe('RedisConnections', () => {
  it('passes TLS, the ACL user, its password and the db through to every connection it makes', () => {
    const made = connections({
      connection: {
        host: 'redis.internal',
        port: 6380,
        username: 'stage',
        password: 'secret',
        db: 2,
        tls: TLS,
      },
    });
    const expected = {
      host: 'redis.internal',
      port: 6380,
      username: 'stage',
      password: 'secret',
      db: 2,
      tls: TLS,
    };

    expect(target(made.command)).toEqual(expected);
    expect(target(made.reader)).toEqual(expected);
    expect(target(made.subscriber)).toEqual(expected);
  });

  it('reads TLS, the ACL user, its password and the db from a rediss:// URL', () => {
    const made = connections({ connection: 'rediss://stage:secret@redis.internal:6380/2' });
    const expected = {
      host: 'redis.internal',
      port: 6380,
      username: 'stage',
      password: 'secret',
      db: 2,
      tls: true,
    };

    expect(target(made.command)).toEqual(expected);
    expect(target(made.reader)).toEqual(expected);
    expect(target(made.subscriber)).toEqual(expected);
  });

  it('lets the connection options override its own defaults, and keeps them otherwise', () => {
    const given = connections({
      connection: { maxRetriesPerRequest: 10, enableAutoPipelining: false },
    });
    const defaults = connections({ connection: { host: 'redis.internal' } });

    expect(given.command.options).toMatchObject({
      maxRetriesPerRequest: 10,
      enableAutoPipelining: false,
    });
    expect(defaults.command.options).toMatchObject({
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
      disconnectTimeout: 0,
    });
    // Blocking reads wait for the server as long as it takes; closing drops them.
    expect(defaults.reader.options.maxRetriesPerRequest).toBeNull();
  });

  it('uses a client passed in for commands, and duplicates it, with its options, for reads and replies', () => {
    const client = new Redis({
      host: 'redis.internal',
      username: 'stage',
      password: 'secret',
      tls: TLS,
      lazyConnect: true,
    });
    try {
      const made = connections({ client });

      expect(made.command).toBe(client);
      expect(made.reader).not.toBe(client);
      expect(target(made.reader)).toEqual(target(client));
      expect(target(made.subscriber)).toEqual(target(client));
    } finally {
      client.disconnect();
    }
  });
});

describe('RedisChannelStorage', () => {
  it('makes its command client from the connection options, as given', () => {
    const storage = new RedisChannelStorage({
      connection: {
        host: 'redis.internal',
        port: 6380,
        username: 'stage',
        password: 'secret',
        tls: TLS,
      },
    });
    try {
      expect(target(storage.client)).toMatchObject({
        host: 'redis.internal',
        port: 6380,
        username: 'stage',
        password: 'secret',
        tls: TLS,
      });
    } finally {
      storage.client.disconnect();
    }
  });
});
