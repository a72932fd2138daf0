import { Redis } from 'ioredis';

/** Where a Redis fixture connects: the benchmark's `REDIS` settings. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

/** Counts the key prefixes made by this process, so that two fixtures never share one. */
let prefixes = 0;

/**
 * A key prefix no other run (or fixture of this run) uses: `stage-bench:<pid>:<time>:<n>:<name>:`.
 * Every key a Redis fixture makes lives under it, so that {@link deleteKeysUnder} removes them.
 */
export function uniqueKeyPrefix(name: string): string {
  prefixes += 1;
  return `stage-bench:${process.pid}:${Date.now().toString(36)}:${prefixes}:${name}:`;
}

/**
 * Deletes every key under `prefix` (`SCAN ... MATCH <prefix>*`, then `UNLINK`) on a connection of
 * its own, closed before returning. Returns how many keys it deleted.
 */
export async function deleteKeysUnder(redis: RedisAddress, prefix: string): Promise<number> {
  const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
  client.on('error', () => {
    // The command that fails reports it.
  });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(
        cursor,
        'MATCH',
        `${escapeGlob(prefix)}*`,
        'COUNT',
        500,
      );
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

/** Escapes the glob characters of `text` for `SCAN MATCH` (BullMQ prefixes have none, ours `:`). */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}
