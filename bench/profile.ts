import { stageRequestReply } from './scenarios/channel-request-reply.js';
import { stageChannelOneWay } from './scenarios/channel-one-way.js';
import { stageGroupRestarts } from './scenarios/group-restarts.js';
import type { Contender } from './harness/contender.js';
import { REDIS } from './harness/redis-probe.js';
import { stageRedisOneWay } from './scenarios/redis-streams-one-way.js';
import { rawStreamsOneWay } from './baselines/raw-streams-one-way.js';
import { bullmqOneWay } from './baselines/bullmq-one-way.js';

/** The Stage side of each throughput scenario, as profiled on its own. */
const CONTENDERS: Readonly<Record<string, () => Contender>> = {
  'one-way': () => stageChannelOneWay({ opsPerBatch: 20_000, producer: 'try-send' }),
  'one-way-await': () => stageChannelOneWay({ opsPerBatch: 20_000, producer: 'await-send' }),
  'request-reply': () => stageRequestReply({ opsPerBatch: 20_000, clients: 64, size: 1 }),
  restarts: () => stageGroupRestarts({ opsPerBatch: 10_000 }),
  streams: () => stageRedisOneWay({ opsPerBatch: 10_000, redis: REDIS }),
  // The Redis baselines, to profile them the same way.
  'streams-raw': () => rawStreamsOneWay({ opsPerBatch: 10_000, chunk: 100, redis: REDIS }),
  'streams-bullmq': () =>
    bullmqOneWay({ opsPerBatch: 2_000, clients: 64, concurrency: 16, redis: REDIS }),
};

/**
 * Runs only the Stage side of one scenario, many batches in a row, so that a CPU profile shows
 * Stage alone: `node --cpu-prof --cpu-prof-dir=bench/results/profiles dist/bench/profile.js
 * one-way 300`. Not part of `npm run bench`.
 */
async function main(): Promise<number> {
  const [id = '', batchesText = '200'] = process.argv.slice(2);
  const factory = CONTENDERS[id];
  if (factory === undefined) {
    console.error(`Usage: profile.js <${Object.keys(CONTENDERS).join('|')}> [batches]`);
    return 2;
  }

  const contender = factory();
  const fixture = await contender.open();
  const batches = Number(batchesText);
  const startedAt = performance.now();
  for (let batch = 0; batch < batches; batch += 1) await fixture.runBatch();
  const elapsedMs = performance.now() - startedAt;
  await fixture.close();
  const rate = (contender.opsPerBatch * batches * 1000) / elapsedMs;
  console.log(`${contender.label}: ${Math.round(rate).toLocaleString('en-US')} ops/s`);
  return 0;
}

process.exitCode = await main();
