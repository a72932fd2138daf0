import type { IdleFixture } from '../harness/measure-idle-memory.js';

/**
 * The smallest async iterator a `for await` loop can wait on: `next()` returns a pending promise
 * and keeps its resolver, nothing else. Not a queue: it only ever yields `done`.
 */
class BareIterator implements AsyncIterableIterator<number> {
  resolve: ((result: IteratorResult<number>) => void) | undefined = undefined;

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<number>> {
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }
}

/**
 * `count` bare `async` functions, each looping `for await` over a {@link BareIterator}: the frame
 * a loop-mode task of its own costs before Stage adds anything (the async frame with the loop's
 * registers, its promise, the awaited `next()` promise and its resolver). The reference that
 * tells the task's own share of a loop-mode figure from Stage's.
 */
export async function bareForAwaitWaiters(count: number): Promise<IdleFixture> {
  const iterators: BareIterator[] = [];
  const loops: Promise<void>[] = [];
  const loop = async (iterator: BareIterator): Promise<void> => {
    for await (const item of iterator) {
      if (item < 0) return;
    }
  };
  for (let index = 0; index < count; index += 1) {
    const iterator = new BareIterator();
    iterators.push(iterator);
    loops.push(loop(iterator));
  }

  return {
    async settled() {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const parked = iterators.filter((iterator) => iterator.resolve !== undefined).length;
      if (parked !== count) throw new Error(`bare for-await loops: ${parked} of ${count} waiting`);
    },
    async release() {
      for (const iterator of iterators) iterator.resolve?.({ done: true, value: undefined });
      await Promise.all(loops);
    },
  };
}
