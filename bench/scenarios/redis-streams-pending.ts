import type { Scenario } from '../harness/scenario.js';

/** Why the Redis Streams rows are not measured yet; remove with them once the transport lands. */
const NO_TRANSPORT = 'no Redis Streams transport in nestjs-stage yet';

// TODO(redis-streams): replace both rows with real scenarios once the library ships a Redis
// Streams channel storage; the BullMQ baseline is in baselines/bullmq-adder.ts.

/** DESIGN: the Redis Streams channel one-way against @nestjs/bullmq; target >= 5x. Not run yet. */
export const redisStreamsVsBullmqScenario: Scenario = {
  id: 'streams-bullmq',
  scenario: 'Redis Streams channel, one-way',
  comparedWith: '@nestjs/bullmq on the same Redis, same work',
  target: { kind: 'ratio-at-least', value: 5 },
  async run() {
    return { outcome: { kind: 'skipped', reason: NO_TRANSPORT }, details: {} };
  },
};

/** DESIGN: the Redis Streams channel one-way against raw batched stream commands. Not run yet. */
export const redisStreamsVsRawScenario: Scenario = {
  id: 'streams-raw',
  scenario: 'Redis Streams channel, one-way',
  comparedWith: 'raw batched XADD / XREADGROUP / XACK (upper bound)',
  target: { kind: 'ratio-at-least', value: 0.5 },
  async run() {
    return { outcome: { kind: 'skipped', reason: NO_TRANSPORT }, details: {} };
  },
};
