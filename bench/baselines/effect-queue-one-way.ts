import { Effect, Fiber, Queue } from 'effect';
import type { Contender } from '../harness/contender.js';

/**
 * One-way throughput through Effect's `Queue` (effect 4.x), written as an Effect user would:
 * a bounded queue with the same capacity as the Stage channel (backpressure by suspension), a
 * producer fiber offering `opsPerBatch` numbers and the main fiber taking and adding them up.
 * One `Effect.runPromise` per batch; the fibers it forks end with the batch.
 */
export function effectQueueOneWay(options: {
  readonly opsPerBatch: number;
  readonly capacity: number;
}): Contender {
  const count = options.opsPerBatch;
  const batch = Effect.gen(function* () {
    const queue = yield* Queue.bounded<number>(options.capacity);
    const producer = yield* Effect.forkChild(
      Effect.gen(function* () {
        for (let index = 0; index < count; index += 1) yield* Queue.offer(queue, index);
      }),
    );
    let sum = 0;
    for (let index = 0; index < count; index += 1) sum += yield* Queue.take(queue);
    yield* Fiber.join(producer);
    return sum;
  });
  const expectedSum = (count * (count - 1)) / 2;

  return {
    label: 'Effect Queue',
    opsPerBatch: count,
    async open() {
      return {
        async runBatch() {
          const sum = await Effect.runPromise(batch);
          if (sum !== expectedSum) throw new Error(`Effect queue: sum ${sum} != ${expectedSum}`);
        },
        async close() {},
      };
    },
  };
}
