import { Channel, handleChannel } from 'nestjs-stage';
import { RedisChannelStorage } from 'nestjs-stage/redis';
import { bullmqOneWay } from '../baselines/bullmq-one-way.js';
import { rawStreamsOneWay } from '../baselines/raw-streams-one-way.js';
import { BatchCounter } from '../harness/batch-counter.js';
import { compareThroughput, type CompareOptions } from '../harness/compare-throughput.js';
import type { Contender } from '../harness/contender.js';
import { REDIS, isRedisReachable } from '../harness/redis-probe.js';
import { deleteKeysUnder, uniqueKeyPrefix, type RedisAddress } from '../harness/redis-run-keys.js';
import { runClients } from '../harness/run-clients.js';
import {
  throughputOutcome,
  type RunSettings,
  type Scenario,
  type ScenarioResult,
} from '../harness/scenario.js';
import type { AdderRequest } from './channel-request-reply.js';
import { closeAndCheckRedisLedger, type RedisLedgerCheck } from './redis-ledger-check.js';
import { consumeChannel } from './stage-fixtures.js';

/**
 * Messages in flight on every side: XADDs per raw pipeline, entries per read (Stage `batchSize`,
 * raw `COUNT`), and concurrent producers on the sides that send one message per call (Stage,
 * BullMQ). On a loaded machine a round trip takes milliseconds, so each side's throughput is
 * bounded by what it has in flight per round trip: the same number on every side.
 */
const IN_FLIGHT = 100;
/** Stage's consumer group size and BullMQ's worker concurrency. */
const CONSUMERS = 16;
/** Stage's `prefetch`: entries read beyond the consumers waiting, so that a read can be full. */
const PREFETCH = IN_FLIGHT;

/**
 * One-way adder messages through a Stage `Channel` on Redis Streams (`RedisChannelStorage` with
 * `batchSize` and `prefetch` of {@link IN_FLIGHT}, default capacity): {@link IN_FLIGHT} concurrent
 * producers each await `channel.send({ a, b })`, Redis's confirmation (`trySend` is always false
 * on a shared storage), and a handler-mode `TaskGroup` of {@link CONSUMERS} built by
 * `handleChannel` adds `a + b` up. A batch ends when the handler has handled its last message.
 * Keys live under a prefix of their own, deleted at close, where the ledger and the server must
 * show nothing lost (see {@link closeAndCheckRedisLedger}).
 */
export function stageRedisOneWay(options: {
  readonly opsPerBatch: number;
  readonly redis: RedisAddress;
  readonly onClosed?: (check: RedisLedgerCheck) => void;
}): Contender {
  return {
    label: 'Stage Redis Streams channel (handler mode)',
    opsPerBatch: options.opsPerBatch,
    async open() {
      const keyPrefix = uniqueKeyPrefix('stage-streams');
      const storage = new RedisChannelStorage<AdderRequest>({
        connection: { host: options.redis.host, port: options.redis.port },
        keyPrefix,
        consumer: 'bench',
        batchSize: IN_FLIGHT,
        prefetch: PREFETCH,
      });
      const channel = new Channel<AdderRequest>({ name: 'bench-streams', storage });
      const counter = new BatchCounter();
      let sum = 0;
      const fixture = await consumeChannel({
        channel,
        size: CONSUMERS,
        task: handleChannel(channel, ({ a, b }) => {
          sum += a + b;
          counter.tick();
        }),
      });
      const stream = storage.streamKey ?? '';

      return {
        async runBatch() {
          const done = counter.expect(options.opsPerBatch);
          await runClients({
            clients: IN_FLIGHT,
            total: options.opsPerBatch,
            call: (index) => channel.send({ a: index, b: 1 }),
          });
          await done;
        },
        async close() {
          try {
            const check = await closeAndCheckRedisLedger(fixture, options.redis, stream);
            if (counter.strays !== 0 || sum < 0) throw new Error('Stage streams: stray messages');
            options.onClosed?.(check);
          } finally {
            await deleteKeysUnder(options.redis, keyPrefix);
          }
        },
      };
    },
  };
}

/** Rounds are short and many: a loaded machine's noise moves single rounds a lot. */
function compareOptions(settings: RunSettings): CompareOptions {
  return settings.quick
    ? { rounds: 1, batchesPerRound: 2, warmupBatches: 1 }
    : { rounds: 7, batchesPerRound: 3, warmupBatches: 1 };
}

/** The row's outcome when Redis does not answer: skipped, not failed. */
async function unreachable(): Promise<ScenarioResult | undefined> {
  if (await isRedisReachable(REDIS)) return undefined;
  return {
    outcome: { kind: 'skipped', reason: `Redis not reachable at ${REDIS.host}:${REDIS.port}` },
    details: {},
  };
}

/** Measures the Stage channel against `baseline`; the ledger is checked when Stage closes. */
async function measureAgainst(
  target: Scenario['target'],
  baseline: Contender,
  stageOps: number,
  settings: RunSettings,
): Promise<ScenarioResult> {
  let ledger: RedisLedgerCheck | undefined;
  const comparison = await compareThroughput(
    stageRedisOneWay({
      opsPerBatch: stageOps,
      redis: REDIS,
      onClosed: (check) => (ledger = check),
    }),
    baseline,
    compareOptions(settings),
  );
  const handled = ledger?.stats.handled ?? 0;
  return {
    outcome: throughputOutcome(comparison, target, 'msg/s', {
      alsoMet: ledger !== undefined,
      note: `0 lost of ${handled.toLocaleString('en-US')}`,
    }),
    details: {
      redis: `${REDIS.host}:${REDIS.port}`,
      inFlight: IN_FLIGHT,
      consumers: CONSUMERS,
      stageStorage: { batchSize: IN_FLIGHT, prefetch: PREFETCH },
      stageOpsPerBatch: stageOps,
      baselineOpsPerBatch: baseline.opsPerBatch,
      producer: `${IN_FLIGHT} concurrent callers, each awaiting channel.send(m)`,
      ledger,
      comparison,
    },
  };
}

/** DESIGN: the Redis Streams channel one-way against `@nestjs/bullmq` on the same Redis; >= 5x. */
export const redisStreamsVsBullmqScenario: Scenario = {
  id: 'streams-bullmq',
  scenario: 'Redis Streams channel, one-way',
  comparedWith: '@nestjs/bullmq on the same Redis, same work',
  target: { kind: 'ratio-at-least', value: 5 },
  async run(settings) {
    const skipped = await unreachable();
    if (skipped !== undefined) return skipped;
    // BullMQ is several times slower: smaller batches keep both sides' batches about as long.
    const bullOps = settings.quick ? 300 : 1_000;
    const stageOps = settings.quick ? 2_000 : 5_000;
    const baseline = bullmqOneWay({
      opsPerBatch: bullOps,
      clients: IN_FLIGHT,
      concurrency: CONSUMERS,
      redis: REDIS,
    });
    const result = await measureAgainst(this.target, baseline, stageOps, settings);
    return {
      outcome: result.outcome,
      details: {
        ...result.details,
        bullmq: 'Nest application context, BullModule.forRoot/registerQueue, @Processor; queue.add',
      },
    };
  },
};

/** DESIGN: the Redis Streams channel one-way against raw batched stream commands; >= 0.5. */
export const redisStreamsVsRawScenario: Scenario = {
  id: 'streams-raw',
  scenario: 'Redis Streams channel, one-way',
  comparedWith: 'raw batched XADD / XREADGROUP / XACK (upper bound)',
  target: { kind: 'ratio-at-least', value: 0.5 },
  async run(settings) {
    const skipped = await unreachable();
    if (skipped !== undefined) return skipped;
    const ops = settings.quick ? 2_000 : 5_000;
    const baseline = rawStreamsOneWay({ opsPerBatch: ops, chunk: IN_FLIGHT, redis: REDIS });
    return measureAgainst(this.target, baseline, ops, settings);
  },
};
