import { BatchCounter } from '../harness/batch-counter.js';
import type { Contender } from '../harness/contender.js';
import { BareAsyncQueue } from './bare-async-queue.js';

/** A message that ends the consumer loop; never counted. */
const STOP = -1;

/**
 * One-way throughput through a {@link BareAsyncQueue}: one producer pushes `opsPerBatch` numbers,
 * one long-lived consumer loop takes them and adds them up; a batch ends when the consumer has
 * taken the last one. The upper bound for the channel's one-way row.
 *
 * `push` is synchronous, so the producer fills the queue in one go and the consumer then drains
 * it without ever parking. With `awaitEachPush`, the producer awaits after each push, as a Stage
 * producer awaits each `send`: the consumer is then woken once per message. That variant is not
 * the DESIGN baseline; it shows how much of the gap comes from the shape of the producer.
 */
export function bareQueueOneWay(options: {
  readonly opsPerBatch: number;
  readonly awaitEachPush?: boolean;
}): Contender {
  const awaitEachPush = options.awaitEachPush ?? false;
  return {
    label: awaitEachPush ? 'bare async queue, awaited push' : 'bare async queue',
    opsPerBatch: options.opsPerBatch,
    async open() {
      const queue = new BareAsyncQueue<number>();
      const counter = new BatchCounter();
      let sum = 0;
      const consumer = (async () => {
        for (;;) {
          const value = await queue.shift();
          if (value === STOP) return;
          sum += value;
          counter.tick();
        }
      })();

      return {
        async runBatch() {
          const done = counter.expect(options.opsPerBatch);
          if (awaitEachPush) {
            for (let index = 0; index < options.opsPerBatch; index += 1) {
              queue.push(index);
              await undefined;
            }
          } else {
            for (let index = 0; index < options.opsPerBatch; index += 1) queue.push(index);
          }
          await done;
        },
        async close() {
          queue.push(STOP);
          await consumer;
          if (counter.strays !== 0 || sum < 0) throw new Error('bare queue: stray messages');
        },
      };
    },
  };
}
