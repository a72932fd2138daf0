/**
 * The Redis keys and names of one channel. The channel's name is wrapped in a hash tag (`{…}`) so
 * that its stream and dead-letter stream live in the same Redis Cluster slot, as the scripts
 * that touch both require.
 */
export interface RedisKeys {
  /** The stream of messages: `<prefix>{<channel>}`. */
  readonly stream: string;
  /** The dead-letter stream: `<prefix>{<channel>}:dead`. */
  readonly dead: string;
  /** The pub/sub channel on which the requester `requesterId` hears its replies. */
  readonly replies: string;
}

/** The keys of `channel` under `prefix`; `requesterId` names this storage's reply channel. */
export function redisKeys(prefix: string, channel: string, requesterId: string): RedisKeys {
  const stream = `${prefix}{${channel}}`;
  return { stream, dead: `${stream}:dead`, replies: `${stream}:reply:${requesterId}` };
}
