import { describeChannelBehaviour } from './channel-behaviour.spec-helper.js';

// The in-memory default runs the behaviour suite that every storage must pass (the Redis Streams
// transport runs it in redis/channel-behaviour.redis.spec.ts).
describeChannelBehaviour('the in-memory storage', { storage: () => undefined });
