import { collectGarbage, median } from './statistics.js';

/** Idle units (tasks, waiters) built for a memory measurement. */
export interface IdleFixture {
  /** Resolves once every unit is parked, waiting for a message. */
  settled(): Promise<void>;
  /** Wakes and ends every unit and releases the fixture. */
  release(): Promise<void>;
}

/** Builds `count` idle units; the heap growth it causes is what is measured. */
export type IdleFixtureFactory = (count: number) => Promise<IdleFixture>;

/** Heap growth per idle unit, over several alternating rounds. */
export interface IdleMemory {
  /** Median over rounds of heap growth divided by the count, in bytes. */
  readonly bytesPerUnit: number;
  readonly perRound: readonly number[];
}

/**
 * Measures the heap growth per idle unit of two fixtures, alternating them round by round.
 *
 * Each measurement: two full GCs, `heapUsed`, build `count` units and wait until all are parked,
 * two full GCs, `heapUsed` again; the growth divided by `count` is the round's figure. Needs
 * `--expose-gc`; without it the figures include garbage and the caller should say so.
 */
export async function measureIdleMemory(options: {
  readonly count: number;
  readonly rounds: number;
  readonly stage: IdleFixtureFactory;
  readonly baseline: IdleFixtureFactory;
}): Promise<{ readonly stage: IdleMemory; readonly baseline: IdleMemory }> {
  const stageRounds: number[] = [];
  const baselineRounds: number[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    const order: readonly [IdleFixtureFactory, number[]][] = [
      [options.stage, stageRounds],
      [options.baseline, baselineRounds],
    ];
    for (const [factory, results] of round % 2 === 0 ? order : [...order].reverse()) {
      results.push(await measureOnce(factory, options.count));
    }
  }

  return {
    stage: { bytesPerUnit: median(stageRounds), perRound: stageRounds },
    baseline: { bytesPerUnit: median(baselineRounds), perRound: baselineRounds },
  };
}

async function measureOnce(factory: IdleFixtureFactory, count: number): Promise<number> {
  await settleHeap();
  const before = process.memoryUsage().heapUsed;

  const fixture = await factory(count);
  try {
    await fixture.settled();
    await settleHeap();
    const after = process.memoryUsage().heapUsed;
    return (after - before) / count;
  } finally {
    await fixture.release();
  }
}

async function settleHeap(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  collectGarbage();
  collectGarbage();
}
