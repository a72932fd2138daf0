import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

function draw(random: () => number, count: number): number[] {
  return Array.from({ length: count }, () => random());
}

describe('seededRandom', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(draw(seededRandom(42), 100)).toEqual(draw(seededRandom(42), 100));
  });

  it('gives different sequences for different seeds, fractions included', () => {
    expect(draw(seededRandom(1), 10)).not.toEqual(draw(seededRandom(2), 10));
    expect(draw(seededRandom(1.25), 10)).not.toEqual(draw(seededRandom(1.5), 10));
  });

  it('returns numbers in [0, 1), spread evenly', () => {
    const values = draw(seededRandom(7), 100_000);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    const buckets = new Array<number>(10).fill(0);
    for (const value of values) buckets[Math.floor(value * 10)]!++;
    for (const bucket of buckets) expect(bucket).toBeGreaterThan(9_000);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });

  it('keeps generators independent', () => {
    const first = seededRandom(3);
    const second = seededRandom(3);
    first();
    first();
    expect(second()).toBe(seededRandom(3)());
  });

  it.each([Number.NaN, Infinity, '1'])('rejects the seed %s', (seed) => {
    expect(() => seededRandom(seed as number)).toThrow(InvalidOptionError);
  });
});
