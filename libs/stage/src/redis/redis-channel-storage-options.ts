import { hostname } from 'node:os';
import type { Redis, RedisOptions } from 'ioredis';
import { JSON_SERIALIZER } from './message-serializer.js';
import type { MessageSerializer } from './message-serializer.js';
import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import {
  integerAtLeast,
  timerMsAtLeast,
  withinTimerRange,
} from '../core/channel/resolve-channel-options.js';

/**
 * Options of a {@link RedisChannelStorage}: where Redis is, how this replica is named in the
 * channel's consumer group, and how it reads, reclaims and closes. Checked once, at construction.
 */
export interface RedisChannelStorageOptions {
  /**
   * A client to use for ordinary commands. It stays yours: the storage never quits it, and reads
   * (which block) and replies go through connections it `duplicate()`s and closes itself.
   * Give either `client` or `connection`.
   */
  readonly client?: Redis;
  /**
   * Where to connect: a `redis://` / `rediss://` URL, or ioredis options (TLS, ACL `username` and
   * `password`, `db`… are passed through as given). The storage owns these connections and
   * closes them with the channel.
   */
  readonly connection?: string | RedisOptions;
  /** Prefix of every key and pub/sub channel; default `'stage:'`. */
  readonly keyPrefix?: string;
  /** The Redis consumer group shared by the replicas; default `'stage'`. */
  readonly group?: string;
  /**
   * This replica's consumer name in the group. It must be **stable across restarts** (a restarted
   * replica first takes back the entries it held, before new ones) and **unique among live
   * replicas** (two live processes with one name would share their pending entries). Default:
   * the `STAGE_CONSUMER` environment variable, else `<hostname>:<replica>` where `<replica>` is
   * the `STAGE_REPLICA_ID` environment variable or `0`. Set `STAGE_REPLICA_ID` when several
   * replicas run on one host.
   */
  readonly consumer?: string;
  /**
   * How long an entry may sit idle in a consumer's hands before another replica claims it, in ms;
   * default 30,000. A live replica renews its entries every `reclaimIntervalMs`, so only the
   * entries of a dead (or frozen) replica go idle that long.
   */
  readonly claimIdleMs?: number;
  /**
   * How often this replica renews the entries it holds, claims idle ones from dead replicas, trims
   * the stream and refreshes its view of the dead letters, in ms; at most half of `claimIdleMs`.
   * Default: a third of `claimIdleMs`, at most 5,000.
   */
  readonly reclaimIntervalMs?: number;
  /** How long one blocking read waits for new entries, in ms; default 1,000. */
  readonly blockMs?: number;
  /** The most entries one read fetches; default 100. */
  readonly batchSize?: number;
  /**
   * How many entries to read beyond the consumers waiting right now; default 0, so that an entry
   * is only taken from the stream by a replica with a free consumer.
   */
  readonly prefetch?: number;
  /** How often the backlog is read from Redis while a sender may be waiting for room; default 100 ms. */
  readonly capacityCheckMs?: number;
  /** How many dead letters the dead-letter stream keeps; past it the oldest goes; default 1,024. */
  readonly deadLetterCapacity?: number;
  /** How bodies and replies are written to Redis; default JSON. */
  readonly serializer?: MessageSerializer;
  /**
   * How long closing may wait for Redis in all, in ms; default 2,000: first for it to confirm what
   * is still being written (acknowledgements, sends, replies), then, with what is left, for it to
   * end the storage's own connection; then the connections are dropped. What was not confirmed is
   * reported as `unacknowledged` in the close report.
   */
  readonly closeTimeoutMs?: number;
}

/** The options with every default applied. Internal. */
export interface ResolvedRedisOptions {
  readonly client: Redis | undefined;
  readonly connection: string | RedisOptions | undefined;
  readonly keyPrefix: string;
  readonly group: string;
  readonly consumer: string;
  readonly claimIdleMs: number;
  readonly reclaimIntervalMs: number;
  readonly blockMs: number;
  readonly batchSize: number;
  readonly prefetch: number;
  readonly capacityCheckMs: number;
  readonly deadLetterCapacity: number;
  readonly serializer: MessageSerializer;
  readonly closeTimeoutMs: number;
}

const OWNER = 'a Redis channel storage';

/** The consumer name used when none is given (see {@link RedisChannelStorageOptions.consumer}). */
export function defaultConsumerName(env: NodeJS.ProcessEnv = process.env): string {
  const named = env['STAGE_CONSUMER'];
  if (named !== undefined && named !== '') return named;
  return `${hostname()}:${env['STAGE_REPLICA_ID'] || '0'}`;
}

/**
 * Checks the options and applies the defaults.
 *
 * @throws InvalidOptionError naming `a Redis channel storage` and the first bad option.
 */
export function resolveRedisOptions(options: RedisChannelStorageOptions): ResolvedRedisOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError(OWNER, 'options', options, 'an object with client or connection');
  }
  const { client, connection } = options;
  if ((client === undefined) === (connection === undefined)) {
    throw new InvalidOptionError(
      OWNER,
      client === undefined ? 'connection' : 'client',
      client === undefined ? connection : client,
      'exactly one of client (an ioredis client) or connection (a URL or ioredis options)',
    );
  }
  if (client !== undefined && (client === null || typeof client.duplicate !== 'function')) {
    throw new InvalidOptionError(OWNER, 'client', client, 'an ioredis client');
  }
  if (connection !== undefined && typeof connection !== 'string' && !isObject(connection)) {
    throw new InvalidOptionError(OWNER, 'connection', connection, 'a URL or ioredis options');
  }
  const claimIdleMs = integerAtLeast(OWNER, 'claimIdleMs', options.claimIdleMs, 10, 30_000);
  const reclaimIntervalMs = withinTimerRange(
    OWNER,
    'reclaimIntervalMs',
    integerAtLeast(
      OWNER,
      'reclaimIntervalMs',
      options.reclaimIntervalMs,
      1,
      Math.max(1, Math.min(5_000, Math.floor(claimIdleMs / 3))),
    ),
  );
  if (reclaimIntervalMs > claimIdleMs / 2) {
    throw new InvalidOptionError(
      OWNER,
      'reclaimIntervalMs',
      reclaimIntervalMs,
      `at most half of claimIdleMs (${claimIdleMs / 2}), so that live entries are renewed in time`,
    );
  }
  const serializer = options.serializer ?? JSON_SERIALIZER;
  if (
    !isObject(serializer) ||
    typeof serializer.encode !== 'function' ||
    typeof serializer.decode !== 'function'
  ) {
    throw new InvalidOptionError(OWNER, 'serializer', serializer, 'an object with encode, decode');
  }
  return {
    client,
    connection,
    keyPrefix: text('keyPrefix', options.keyPrefix, 'stage:', true),
    group: text('group', options.group, 'stage', false),
    consumer: text('consumer', options.consumer, defaultConsumerName(), false),
    claimIdleMs,
    reclaimIntervalMs,
    blockMs: integerAtLeast(OWNER, 'blockMs', options.blockMs, 1, 1_000),
    batchSize: integerAtLeast(OWNER, 'batchSize', options.batchSize, 1, 100),
    prefetch: integerAtLeast(OWNER, 'prefetch', options.prefetch, 0, 0),
    capacityCheckMs: withinTimerRange(
      OWNER,
      'capacityCheckMs',
      integerAtLeast(OWNER, 'capacityCheckMs', options.capacityCheckMs, 1, 100),
    ),
    deadLetterCapacity: integerAtLeast(
      OWNER,
      'deadLetterCapacity',
      options.deadLetterCapacity,
      1,
      1024,
    ),
    serializer,
    closeTimeoutMs: timerMsAtLeast(OWNER, 'closeTimeoutMs', options.closeTimeoutMs, 0, 2_000),
  };
}

function text(option: string, value: unknown, fallback: string, emptyAllowed: boolean): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || (!emptyAllowed && value.trim() === '')) {
    throw new InvalidOptionError(OWNER, option, value, 'a non-empty string');
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
