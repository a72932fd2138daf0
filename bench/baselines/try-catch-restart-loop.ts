import { BatchCounter } from '../harness/batch-counter.js';
import type { Contender } from '../harness/contender.js';

/** The failure every run throws; allocated once so that both sides measure restarts, not stacks. */
const FAILURE = new Error('bench: planned failure');

/**
 * Restarts per second of a bare `try/catch` loop: the task throws at once, the loop catches,
 * yields to the event loop with one `setImmediate` and runs it again. No backoff, no intensity,
 * no events, no stop deadline: the simplest code that restarts a crashing task without
 * monopolising the process, and the baseline for the group's zero-backoff restart rate.
 */
export function tryCatchRestartLoop(options: { readonly opsPerBatch: number }): Contender {
  return {
    label: 'try/catch loop + setImmediate',
    opsPerBatch: options.opsPerBatch,
    async open() {
      const counter = new BatchCounter();
      let stopped = false;
      const task = async (): Promise<void> => {
        // Between batches the task waits, so the loop does not run while the other side is timed.
        if (!counter.isOpen) await counter.whenOpen();
        if (stopped) return;
        counter.tick();
        throw FAILURE;
      };
      const loop = (async () => {
        while (!stopped) {
          try {
            await task();
          } catch {
            // A real loop would log here; the baseline only restarts.
          }
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      })();

      return {
        runBatch: () => counter.expect(options.opsPerBatch),
        async close() {
          stopped = true;
          counter.release();
          await loop;
        },
      };
    },
  };
}
