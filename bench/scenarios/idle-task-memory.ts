import { Channel, TaskGroup, handleChannel, type TaskContext } from 'nestjs-stage';
import { bareForAwaitWaiters } from '../baselines/bare-for-await-waiters.js';
import { bareIdleWaiters } from '../baselines/bare-idle-waiters.js';
import type { IdleFixture } from '../harness/measure-idle-memory.js';
import { measureIdleMemory } from '../harness/measure-idle-memory.js';
import type { RunSettings, Scenario } from '../harness/scenario.js';
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

/** How many idle tasks, and how many alternating rounds, a memory row measures. */
function memorySettings(settings: RunSettings): { count: number; rounds: number } {
  return { count: settings.quick ? 20_000 : 100_000, rounds: settings.quick ? 1 : 3 };
}

const MEMORY_TARGET = { kind: 'value-at-most', value: 1024, unit: 'B' } as const;

/**
 * DESIGN: memory per idle task awaiting a message, over 100,000 tasks; target <= 1 KB. Handler
 * mode, where Stage owns the loop: the task is only Stage's bookkeeping while it waits.
 */
export const idleHandlerMemoryScenario: Scenario = {
  id: 'memory',
  scenario: 'memory per idle task (awaiting a message), handler mode',
  comparedWith: 'heap growth over 100,000 tasks (reference: bare async fns on a bare queue)',
  target: MEMORY_TARGET,
  async run(settings) {
    const { count, rounds } = memorySettings(settings);
    const handler = await measureIdleMemory({
      count,
      rounds,
      stage: stageIdleTasks('handler'),
      baseline: bareIdleWaiters,
    });
    const stage = handler.stage.bytesPerUnit;
    return {
      outcome: {
        kind: 'measured',
        stage: { value: stage, unit: 'B/task' },
        baseline: { value: handler.baseline.bytesPerUnit, unit: 'B/task' },
        ratio: stage / handler.baseline.bytesPerUnit,
        met: canCollectGarbage() && stage <= MEMORY_TARGET.value,
        ...(canCollectGarbage() ? {} : { note: 'no --expose-gc' }),
      },
      details: { count, handlerMode: handler, exposeGc: canCollectGarbage() },
    };
  },
};

/**
 * The same row in loop mode, where the task is the user's own `for await` loop: its frame alone
 * (measured beside it over a bare iterator) is most of the figure; Stage's share is the rest.
 */
export const idleLoopMemoryScenario: Scenario = {
  id: 'memory-loop',
  scenario: 'memory per idle task (awaiting a message), loop mode',
  comparedWith: "heap growth over 100,000 tasks (reference: the task's own for-await, no Stage)",
  target: MEMORY_TARGET,
  async run(settings) {
    const { count, rounds } = memorySettings(settings);
    const loop = await measureIdleMemory({
      count,
      rounds,
      stage: stageIdleTasks('loop'),
      baseline: bareForAwaitWaiters,
    });
    const stage = loop.stage.bytesPerUnit;
    const own = loop.baseline.bytesPerUnit;
    return {
      outcome: {
        kind: 'measured',
        stage: { value: stage, unit: 'B/task' },
        baseline: { value: own, unit: 'B/task' },
        ratio: stage / own,
        met: canCollectGarbage() && stage <= MEMORY_TARGET.value,
        note:
          `the for-await frame ${Math.round(own)} B, Stage ${Math.round(stage - own)} B` +
          (canCollectGarbage() ? '' : ', no --expose-gc'),
      },
      details: { count, loopMode: loop, exposeGc: canCollectGarbage() },
    };
  },
};
