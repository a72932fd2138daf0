import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

import { ADDER_CHANNEL } from '../../second-degree/adder-channel.js';

/** What a run left in Redis for the `adder` channel. 0 everywhere when nothing is left. */
export interface RedisLeftovers {
  /** Entries some replica read and never acknowledged (its pending entries). */
  readonly pending: number;
  /** Entries no replica has read yet (the consumer group's lag). */
  readonly undelivered: number;
  /** Entries of the dead-letter stream. */
  readonly deadLetters: number;
}

/** The Redis consumer group of the replicas: the storage's default. */
const GROUP = 'stage';

/**
 * The demo's own view of Redis during a `--redis` run, through a client of its own: a fresh key
 * prefix for the run, what the `adder` channel's stream holds (read with the commands the Redis
 * page of the docs names: `XPENDING`, `XINFO GROUPS`, `XLEN`), and the deletion of the run's keys
 * at the end. The replicas never see this client.
 */
export class RedisRun {
  /** The `adder` channel's stream. */
  private readonly stream: string;
  /** Its dead-letter stream. */
  private readonly deadStream: string;

  private constructor(
    /** The demo's client; quit by {@link close}. */
    private readonly client: Redis,
    /** Where Redis is. */
    readonly url: string,
    /** The prefix of every key of this run, fresh for each run. */
    readonly keyPrefix: string,
  ) {
    this.stream = `${keyPrefix}{${ADDER_CHANNEL.name}}`;
    this.deadStream = `${this.stream}:dead`;
  }

  /**
   * Connects to Redis at `url` and picks a fresh key prefix for the run.
   *
   * @throws (rejects) Error saying how to get a Redis server when none answers at `url`.
   */
  static async open(url: string): Promise<RedisRun> {
    const client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: 2_000,
      maxRetriesPerRequest: 2,
      retryStrategy: (attempt) => (attempt > 5 ? null : 100),
    });
    client.on('error', () => undefined); // failures surface through the commands
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      client.disconnect();
      throw new Error(
        `--redis needs a Redis server at ${url} (REDIS_URL), and none answered: ` +
          `${error instanceof Error ? error.message : String(error)}. Start one (redis-server) ` +
          'or point REDIS_URL at one.',
        { cause: error },
      );
    }
    const prefix = `stage-demo:${Date.now().toString(36)}-${randomBytes(3).toString('hex')}:`;
    return new RedisRun(client, url, prefix);
  }

  /** How many entries `consumer` holds: read by it and not acknowledged (`XPENDING`). */
  async pendingOf(consumer: string): Promise<number> {
    const summary = await this.orNoGroup(() => this.client.xpending(this.stream, GROUP));
    const consumers = Array.isArray(summary) ? summary[3] : undefined;
    if (!Array.isArray(consumers)) return 0;
    const entry: unknown = consumers.find(
      (pair: unknown) => Array.isArray(pair) && pair[0] === consumer,
    );
    return Array.isArray(entry) ? Number(entry[1]) : 0;
  }

  /** What is left of the channel in Redis (see {@link RedisLeftovers}). */
  async leftovers(): Promise<RedisLeftovers> {
    const groups = await this.orNoGroup(() => this.client.xinfo('GROUPS', this.stream));
    const group = (Array.isArray(groups) ? groups : [])
      .map((fields: unknown) => fieldsOf(fields))
      .find((fields) => fields.get('name') === GROUP);
    return {
      pending: Number(group?.get('pending') ?? 0),
      undelivered: Number(group?.get('lag') ?? 0),
      deadLetters: await this.client.xlen(this.deadStream),
    };
  }

  /** Deletes every key of the run (`SCAN` on the prefix, then `DEL`). @returns How many. */
  async deleteKeys(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(
        cursor,
        'MATCH',
        `${this.keyPrefix}*`,
        'COUNT',
        500,
      );
      cursor = next;
      if (keys.length > 0) deleted += await this.client.del(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  /** Closes the demo's client. */
  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Runs `command`; a stream or group that does not exist yet (nothing was sent) reads as none. */
  private async orNoGroup(command: () => Promise<unknown>): Promise<unknown> {
    try {
      return await command();
    } catch (error) {
      if (error instanceof Error && /NOGROUP|no such key/i.test(error.message)) return undefined;
      throw error;
    }
  }
}

/** Reads a flat `[name, value, name, value…]` reply into a map. */
function fieldsOf(reply: unknown): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  if (!Array.isArray(reply)) return fields;
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
  return fields;
}
