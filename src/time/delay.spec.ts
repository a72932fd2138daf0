import { afterEach, describe, expect, it, vi } from 'vitest';

import { delay } from './delay.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('delay', () => {
  it('resolves after its time, not before', async () => {
    vi.useFakeTimers();
    let done = false;

    void delay(10, new AbortController().signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(9);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);

    expect(done).toBe(true);
  });

  it("rejects with the signal's reason when it fires first, clearing its timer", async () => {
    vi.useFakeTimers();
    const stop = new AbortController();

    const waiting = delay(10_000, stop.signal);
    stop.abort(new Error('stop'));

    await expect(waiting).rejects.toThrow('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal has already fired', async () => {
    await expect(delay(10_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});
