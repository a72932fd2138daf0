import type { IdleFixture } from '../harness/measure-idle-memory.js';
import { BareAsyncQueue } from './bare-async-queue.js';

/**
 * `count` bare `async` functions, each awaiting one item from a shared {@link BareAsyncQueue}: the
 * reference point for the memory of an idle Stage task (an async frame, its promise, the
 * awaited promise and its resolver, and nothing else: no signal, no context, no slot).
 */
export async function bareIdleWaiters(count: number): Promise<IdleFixture> {
  const queue = new BareAsyncQueue<number>();
  const waiters: Promise<number>[] = [];
  const waiter = async (): Promise<number> => {
    const item = await queue.shift();
    return item;
  };
  for (let index = 0; index < count; index += 1) waiters.push(waiter());

  return {
    async settled() {
      if (queue.waitingCount !== count) {
        throw new Error(`bare waiters: ${queue.waitingCount} of ${count} waiting`);
      }
    },
    async release() {
      for (let index = 0; index < count; index += 1) queue.push(index);
      await Promise.all(waiters);
    },
  };
}
