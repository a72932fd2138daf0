import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, DEFAULT_BACKOFF } from './backoff.js';
import type { BackoffOptions } from './backoff-options.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { seededRandom } from '../util/random.js';

const OWNER = 'group "test"';

function fixed(value: number): () => number {
  return () => value;
}

describe('Backoff', () => {
  describe('constructor', () => {
    it('fills in the defaults', () => {
      const backoff = new Backoff(undefined, OWNER);
      expect(backoff).toMatchObject(DEFAULT_BACKOFF);
      expect(backoff.minMs).toBeGreaterThan(0);
    });

    it.each([
      [{ minMs: -1 }, 'backoff.minMs'],
      [{ minMs: Infinity }, 'backoff.minMs'],
      [{ minMs: Number.NaN }, 'backoff.minMs'],
      [{ minMs: 200, maxMs: 100 }, 'backoff.maxMs'],
      [{ maxMs: 2 ** 31 }, 'backoff.maxMs'],
      [{ factor: 0.5 }, 'backoff.factor'],
      [{ factor: Infinity }, 'backoff.factor'],
      [{ jitter: -0.1 }, 'backoff.jitter'],
      [{ jitter: 1.5 }, 'backoff.jitter'],
      [{ resetAfterMs: -1 }, 'backoff.resetAfterMs'],
      [{ minMs: '5' }, 'backoff.minMs'],
      [{ random: 0.5 }, 'backoff.random'],
    ])('rejects %j, naming %s and the value', (options, option) => {
      const build = () => new Backoff(options as unknown as BackoffOptions, OWNER);
      expect(build).toThrow(InvalidOptionError);
      expect(build).toThrow(expect.objectContaining({ option, owner: OWNER }));
    });

    it('rejects options that are not an object', () => {
      expect(() => new Backoff(5 as unknown as BackoffOptions, OWNER)).toThrow(
        expect.objectContaining({ option: 'backoff' }),
      );
    });

    it('allows a minimum of 0, which makes every wait 0', () => {
      const backoff = new Backoff({ minMs: 0 }, OWNER);
      expect([1, 2, 10, 100].map((failures) => backoff.delay(failures))).toEqual([0, 0, 0, 0]);
    });
  });

  describe('delay', () => {
    it('waits exactly minMs * factor^(n-1) without jitter, capped at maxMs', () => {
      const backoff = new Backoff({ minMs: 100, maxMs: 1_000, factor: 3, jitter: 0 }, OWNER);
      expect([1, 2, 3, 4, 50].map((failures) => backoff.delay(failures))).toEqual([
        100, 300, 900, 1_000, 1_000,
      ]);
    });

    it('spreads the default first wait between 100 and 300 ms', () => {
      expect(new Backoff({ random: fixed(0) }, OWNER).delay(1)).toBe(100);
      expect(new Backoff({ random: fixed(0.5) }, OWNER).delay(1)).toBe(200);
      expect(new Backoff({ random: fixed(0.9999) }, OWNER).delay(1)).toBeCloseTo(299.98, 1);
    });

    it('keeps waits spread at the cap', () => {
      const low = new Backoff({ random: fixed(0) }, OWNER).delay(30);
      const high = new Backoff({ random: fixed(0.9999) }, OWNER).delay(30);
      expect(low).toBe(10_000);
      expect(high).toBeCloseTo(30_000, -1);
    });

    it('waits minMs exactly after a completion', () => {
      expect(new Backoff({ minMs: 50, random: fixed(0.9) }, OWNER).delay(0)).toBe(50);
    });

    it('spreads every wait over [minMs, maxMs] with a jitter of 1', () => {
      const backoff = new Backoff({ jitter: 1, random: fixed(0.5) }, OWNER);
      expect(backoff.delay(1)).toBe(15_050);
      expect(backoff.delay(5)).toBe(15_050);
    });

    it('clamps a random source that leaves [0, 1)', () => {
      expect(new Backoff({ random: fixed(-3) }, OWNER).delay(1)).toBe(100);
      expect(new Backoff({ random: fixed(Number.NaN) }, OWNER).delay(1)).toBe(100);
      expect(new Backoff({ random: fixed(7) }, OWNER).delay(1)).toBeLessThanOrEqual(300);
    });

    it('throws what the random source throws, and floor() gives the fallback', () => {
      const backoff = new Backoff(
        {
          random: () => {
            throw new Error('no entropy');
          },
        },
        OWNER,
      );
      expect(() => backoff.delay(2)).toThrow('no entropy');
      expect(backoff.floor(2)).toBe(200);
    });

    it('G8: keeps 10,000 draws within [minMs, maxMs] for any valid options', () => {
      const options = fc
        .record({
          minMs: fc.double({ min: 0, max: 10_000, noNaN: true }),
          span: fc.double({ min: 0, max: 100_000, noNaN: true }),
          factor: fc.double({ min: 1, max: 10, noNaN: true }),
          jitter: fc.double({ min: 0, max: 1, noNaN: true }),
          seed: fc.integer(),
        })
        .map(({ minMs, span, factor, jitter, seed }) => ({
          minMs,
          maxMs: minMs + span,
          factor,
          jitter,
          random: seededRandom(seed),
        }));

      fc.assert(
        fc.property(options, fc.integer({ min: 0, max: 2_000 }), (opts, failures) => {
          const backoff = new Backoff(opts, OWNER);
          for (let draw = 0; draw < 100; draw++) {
            const delay = backoff.delay(failures + draw);
            if (!(delay >= opts.minMs && delay <= opts.maxMs)) return false;
          }
          return true;
        }),
        { numRuns: 100 },
      );
    });

    it('G10: spreads the first waits of a herd with a coefficient of variation above 0.2', () => {
      const backoff = new Backoff({ random: seededRandom(2024) }, OWNER);
      const delays = Array.from({ length: 1_000 }, () => backoff.delay(1));
      const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
      const deviation = Math.sqrt(
        delays.reduce((sum, delay) => sum + (delay - mean) ** 2, 0) / delays.length,
      );
      expect(deviation / mean).toBeGreaterThan(0.2);
    });
  });
});
