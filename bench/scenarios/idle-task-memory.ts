import { Channel, TaskGroup, handleChannel, type TaskContext } from 'nestjs-stage';
import { bareIdleWaiters } from '../baselines/bare-idle-waiters.js';
import type { IdleFixture } from '../harness/measure-idle-memory.js';
import { measureIdleMemory } from '../harness/measure-idle-memory.js';
import type { Scenario } from '../harness/scenario.js';
import { canCollectGarbage } from '../harness/statistics.js';
import { waitForConsumers } from './stage-fixtures.js';

/** How a Stage task waits for its message. */
type ConsumptionMode = 'loop' | 'handler';

/**
 * `count` Stage tasks, one group of size `count`, each waiting for a message on one channel: in
 * loop mode (`for await` over `channel.consume(ctx)`) or handler mode (`handleChannel`). Settled
 * once the channel reports `count` waiting consumers; released by stopping the group.
 */
export function stageIdleTasks(mode: ConsumptionMode) {
  return async (count: number): Promise<IdleFixture> => {
    const channel = new Channel<number>({ name: `bench-idle-${mode}` });
    const task =
      mode === 'loop'
        ? async (ctx: TaskContext) => {
            for await (const delivery of channel.consume(ctx)) delivery.ack();
          }
        : handleChannel(channel, () => undefined);
    const group = new TaskGroup({ name: `bench-idle-${mode}`, size: count, task });
    group.start();

    return {
      settled: () => waitForConsumers(channel, count),
      async release() {
        const report = await group.stop({ timeoutMs: 5000 });
        await channel.close({ timeoutMs: 0 });
        if (!report.clean) throw new Error(`${report.abandoned.length} idle tasks did not stop`);
      },
    };
  };
}

/** DESIGN: memory per idle task awaiting a message, over 100,000 tasks; target <= 1 KB. */
export const idleTaskMemoryScenario: Scenario = {
  id: 'memory',
  scenario: 'memory per idle task (awaiting a message)',
  comparedWith: 'heap growth over 100,000 tasks (reference: bare async fns on a bare queue)',
  target: { kind: 'value-at-most', value: 1024, unit: 'B' },
  async run(settings) {
    const count = settings.quick ? 20_000 : 100_000;
    const rounds = settings.quick ? 1 : 3;
    const loop = await measureIdleMemory({
      count,
      rounds,
      stage: stageIdleTasks('loop'),
      baseline: bareIdleWaiters,
    });
    const handler = await measureIdleMemory({
      count,
      rounds,
      stage: stageIdleTasks('handler'),
      baseline: bareIdleWaiters,
    });
    const worst = Math.max(loop.stage.bytesPerUnit, handler.stage.bytesPerUnit);
    return {
      outcome: {
        kind: 'measured',
        stage: { value: worst, unit: 'B/task' },
        baseline: { value: loop.baseline.bytesPerUnit, unit: 'B/task' },
        ratio: worst / loop.baseline.bytesPerUnit,
        met: canCollectGarbage() && worst <= this.target.value,
        note:
          `loop ${Math.round(loop.stage.bytesPerUnit)} B, ` +
          `handler ${Math.round(handler.stage.bytesPerUnit)} B` +
          (canCollectGarbage() ? '' : ', no --expose-gc'),
      },
      details: { count, loopMode: loop, handlerMode: handler, exposeGc: canCollectGarbage() },
    };
  },
};
