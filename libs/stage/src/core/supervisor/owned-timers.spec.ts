import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OwnedTimers } from './owned-timers.js';

describe('OwnedTimers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('wait', () => {
    it('resolves true once the time has passed', async () => {
      const timers = new OwnedTimers();
      const wait = timers.wait(1_000);

      await vi.advanceTimersByTimeAsync(1_000);

      await expect(wait.done).resolves.toBe(true);
      expect(timers.size).toBe(0);
    });

    it('yields one turn of the event loop for a wait of 0', async () => {
      const timers = new OwnedTimers();
      let over = false;
      void timers.wait(0).done.then(() => (over = true));

      await Promise.resolve();
      expect(over).toBe(false);
      await vi.advanceTimersByTimeAsync(0);
      expect(over).toBe(true);
    });

    it('resolves false when cancelled on its own, leaving the others', async () => {
      const timers = new OwnedTimers();
      const first = timers.wait(1_000);
      const second = timers.wait(1_000);

      first.cancel();
      first.cancel();

      await expect(first.done).resolves.toBe(false);
      expect(timers.size).toBe(1);
      await vi.advanceTimersByTimeAsync(1_000);
      await expect(second.done).resolves.toBe(true);
    });
  });

  describe('cancelAll', () => {
    it('resolves every pending wait false and clears its timer', async () => {
      const timers = new OwnedTimers();
      const waits = [timers.wait(10), timers.wait(0), timers.wait(60_000)];

      timers.cancelAll();

      await expect(Promise.all(waits.map((wait) => wait.done))).resolves.toEqual([
        false,
        false,
        false,
      ]);
      expect(vi.getTimerCount()).toBe(0);
      expect(timers.size).toBe(0);
    });
  });
});
