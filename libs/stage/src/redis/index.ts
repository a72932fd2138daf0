/**
 * `nestjs-stage/redis`: the Redis Streams transport of Stage's channels. A separate entry point,
 * so that applications that keep their channels in memory never load `ioredis`.
 */
export { RedisChannelStorage } from './redis-channel-storage.js';
export { defaultConsumerName } from './redis-channel-storage-options.js';
export type { RedisChannelStorageOptions } from './redis-channel-storage-options.js';
export { JSON_SERIALIZER } from './message-serializer.js';
export type { MessageSerializer } from './message-serializer.js';
export { RedisTransportError } from './errors/redis-transport-error.js';
