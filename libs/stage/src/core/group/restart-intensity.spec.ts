import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestartIntensity, validateIntensity } from './restart-intensity.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

describe('RestartIntensity', () => {
  it('allows maxRestarts restarts within the window, then refuses', () => {
    const intensity = new RestartIntensity({ maxRestarts: 3, withinMs: 1_000 });
    expect([0, 10, 20].map((now) => intensity.tryRecord(now))).toEqual([true, true, true]);
    expect(intensity.tryRecord(999)).toBe(false);
  });

  it('records nothing when it refuses', () => {
    const intensity = new RestartIntensity({ maxRestarts: 1, withinMs: 1_000 });
    expect(intensity.tryRecord(0)).toBe(true);
    expect(intensity.tryRecord(500)).toBe(false);
    // Had the refused restart been recorded at 500, this one would be refused too.
    expect(intensity.tryRecord(1_000)).toBe(true);
  });

  it('slides: a restart leaves the window withinMs after it happened', () => {
    const intensity = new RestartIntensity({ maxRestarts: 2, withinMs: 100 });
    expect(intensity.tryRecord(0)).toBe(true);
    expect(intensity.tryRecord(50)).toBe(true);
    expect(intensity.tryRecord(99)).toBe(false);
    expect(intensity.tryRecord(100)).toBe(true);
    expect(intensity.tryRecord(149)).toBe(false);
    expect(intensity.tryRecord(150)).toBe(true);
  });

  it('refuses every restart with a limit of 0', () => {
    expect(new RestartIntensity({ maxRestarts: 0, withinMs: 10 }).tryRecord(0)).toBe(false);
  });

  it('never refuses without a limit', () => {
    const intensity = new RestartIntensity(false);
    let refused = 0;
    for (let attempt = 0; attempt < 100_000; attempt++) if (!intensity.tryRecord(0)) refused++;
    expect(refused).toBe(0);
  });

  it('forgets everything on reset', () => {
    const intensity = new RestartIntensity({ maxRestarts: 1, withinMs: 1_000 });
    intensity.tryRecord(0);
    intensity.reset();
    expect(intensity.tryRecord(1)).toBe(true);
  });

  describe('withLimit', () => {
    it('keeps the restarts in the window under the new limit', () => {
      const intensity = new RestartIntensity({ maxRestarts: 3, withinMs: 1_000 });
      [0, 10, 20].forEach((now) => intensity.tryRecord(now));
      const larger = intensity.withLimit({ maxRestarts: 4, withinMs: 1_000 });
      expect(larger.tryRecord(30)).toBe(true);
      expect(larger.tryRecord(40)).toBe(false);
      // The oldest restart leaves the window at 1,000 as it would have without the change.
      expect(larger.tryRecord(1_000)).toBe(true);
    });

    it('keeps only the latest restarts when the new limit is lower', () => {
      const intensity = new RestartIntensity({ maxRestarts: 4, withinMs: 1_000 });
      [0, 10, 20, 30].forEach((now) => intensity.tryRecord(now));
      const smaller = intensity.withLimit({ maxRestarts: 2, withinMs: 1_000 });
      expect(smaller.tryRecord(1_019)).toBe(false);
      expect(smaller.tryRecord(1_020)).toBe(true);
    });

    it('keeps nothing without a limit, and leaves the original as it was', () => {
      const intensity = new RestartIntensity({ maxRestarts: 1, withinMs: 1_000 });
      intensity.tryRecord(0);
      expect(intensity.withLimit(false).tryRecord(1)).toBe(true);
      expect(intensity.tryRecord(1)).toBe(false);
    });
  });

  it('agrees with a list of every restart, over random sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 300 }),
        (maxRestarts, withinMs, gaps) => {
          const intensity = new RestartIntensity({ maxRestarts, withinMs });
          const recorded: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const inWindow = recorded.filter((time) => now - time < withinMs).length;
            const expected = inWindow < maxRestarts;
            if (expected) recorded.push(now);
            if (intensity.tryRecord(now) !== expected) return false;
          }
          return true;
        },
      ),
    );
  });

  it.each([
    [{ maxRestarts: -1, withinMs: 1 }, 'intensity.maxRestarts'],
    [{ maxRestarts: 2, withinMs: Infinity }, 'intensity.withinMs'],
    [{ withinMs: 5 }, 'intensity.maxRestarts'],
    ['often', 'intensity'],
  ])('rejects %j, naming %s', (limit, option) => {
    expect(() => validateIntensity(limit, 'supervisor "root"')).toThrow(
      expect.objectContaining({ option, owner: 'supervisor "root"' }),
    );
    expect(() => new RestartIntensity(limit as never)).toThrow(InvalidOptionError);
  });
});
