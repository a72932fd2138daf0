import { bullmqAdder } from '../baselines/bullmq-adder.js';
import { compareThroughput } from '../harness/compare-throughput.js';
import { REDIS, isRedisReachable } from '../harness/redis-probe.js';
import { throughputOutcome, type Scenario } from '../harness/scenario.js';
import { stageRequestReply } from './channel-request-reply.js';

/**
 * DESIGN: the in-process channel against `@nestjs/bullmq` on local Redis, same adder work;
 * target >= 50x. Both sides answer `{ a, b }` requests with `a + b` for 64 concurrent callers,
 * with 16 consumers (Stage group size, BullMQ worker concurrency). BullMQ runs in a real Nest
 * application context; its batches are smaller since it is orders of magnitude slower, which
 * does not bias a throughput figure. Skipped, not failed, when Redis does not answer.
 */
export const channelVsBullmqScenario: Scenario = {
  id: 'bullmq',
  scenario: 'in-process channel',
  comparedWith: '@nestjs/bullmq on local Redis, same work',
  target: { kind: 'ratio-at-least', value: 50 },
  async run(settings) {
    if (!(await isRedisReachable(REDIS))) {
      return {
        outcome: { kind: 'skipped', reason: `Redis not reachable at ${REDIS.host}:${REDIS.port}` },
        details: {},
      };
    }

    const clients = 64;
    const concurrency = 16;
    const stageOps = settings.quick ? 5_000 : 20_000;
    const bullOps = settings.quick ? 300 : 1_000;
    const comparison = await compareThroughput(
      stageRequestReply({
        opsPerBatch: stageOps,
        clients,
        size: concurrency,
        label: 'Stage channel adder (in-process)',
      }),
      bullmqAdder({ opsPerBatch: bullOps, clients, concurrency, redis: REDIS }),
      settings.quick
        ? { rounds: 1, batchesPerRound: 2, warmupBatches: 1 }
        : { rounds: 5, batchesPerRound: 3, warmupBatches: 1 },
    );
    return {
      outcome: throughputOutcome(comparison, this.target, 'req/s'),
      details: {
        clients,
        concurrency,
        stageOpsPerBatch: stageOps,
        bullmqOpsPerBatch: bullOps,
        bullmq: 'NestJS application context with BullModule.forRoot/registerQueue and @Processor',
        comparison,
      },
    };
  },
};
