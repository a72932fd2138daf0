import type { BackoffOptions } from './backoff-options.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

/** The longest delay a Node timer honours; longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The backoff defaults; see {@link BackoffOptions}. */
export const DEFAULT_BACKOFF = {
  minMs: 100,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
  resetAfterMs: 10_000,
} as const;

/**
 * A validated, immutable backoff: the wait before each restart of a task.
 *
 * The rule, for the n-th consecutive failure (n >= 1), with `w = minMs * factor^(n-1)` and
 * `spread = (1 + jitter) / (1 - jitter)` (3 with the default jitter of 0.5):
 *
 * - the ceiling is `min(maxMs, w * spread)`;
 * - the floor is `max(minMs, min(w, ceiling / spread))`, so it is `w` until the cap is reached
 *   and then stays a fixed share below `maxMs`, which keeps a herd spread out even at the cap;
 * - the wait is drawn uniformly between the floor and the ceiling.
 *
 * Every wait therefore lies within [`minMs`, `maxMs`]. With the defaults the first restart after
 * a failure waits between 100 and 300 ms, so 1,000 tasks failing at once restart spread over
 * 200 ms (a coefficient of variation near 0.29), and a task that fails at once on every start
 * has waited about 12.6 s in total before its seventh restart. `jitter: 1` spreads every wait
 * over the whole [`minMs`, `maxMs`] range; `minMs: 0` makes every wait 0.
 *
 * Why not take a random share off a ceiling: with a share of 0.5 the longest wait is always
 * twice the shortest, which spreads a herd with a coefficient of variation of at most 0.19,
 * and the first wait could not be spread at all without going below `minMs`.
 *
 * The random source is user code: a value outside [0, 1) (or `NaN`) is clamped into it; a
 * source that throws makes {@link Backoff.delay} throw, and callers fall back to
 * {@link Backoff.floor}.
 */
export class Backoff {
  readonly minMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly resetAfterMs: number;
  /** The ratio of ceiling to floor below the cap; `Infinity` when `jitter` is 1. */
  readonly #spread: number;
  readonly #random: () => number;

  /**
   * Validates `options` once.
   *
   * @param owner Names the owner in errors, for example `group "mailer"`.
   * @param path The option path prefix in errors; default `backoff`.
   * @throws {InvalidOptionError} Naming `backoff.<option>` and the value received.
   */
  constructor(options: BackoffOptions | undefined, owner: string, path = 'backoff') {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new InvalidOptionError(owner, path, options, 'an object of backoff options');
    }

    const read = (key: keyof typeof DEFAULT_BACKOFF): number => {
      const value = options?.[key] ?? DEFAULT_BACKOFF[key];
      if (typeof value !== 'number' || Number.isNaN(value)) {
        throw new InvalidOptionError(owner, `${path}.${key}`, value, 'a number');
      }
      return value;
    };

    this.minMs = read('minMs');
    this.maxMs = read('maxMs');
    this.factor = read('factor');
    this.jitter = read('jitter');
    this.resetAfterMs = read('resetAfterMs');

    if (this.minMs < 0 || !Number.isFinite(this.minMs)) {
      throw new InvalidOptionError(owner, `${path}.minMs`, this.minMs, 'a finite number >= 0');
    }
    if (this.maxMs < this.minMs && options?.maxMs === undefined) {
      // The user set only minMs, above the default maxMs: name what they set, not the default.
      throw new InvalidOptionError(
        owner,
        `${path}.minMs`,
        this.minMs,
        `a number from 0 to maxMs (${this.maxMs} by default; set ${path}.maxMs to wait longer)`,
      );
    }
    if (this.maxMs < this.minMs || this.maxMs > MAX_TIMER_MS) {
      throw new InvalidOptionError(
        owner,
        `${path}.maxMs`,
        this.maxMs,
        `a number from minMs (${this.minMs}) to ${MAX_TIMER_MS}`,
      );
    }
    if (this.factor < 1 || !Number.isFinite(this.factor)) {
      throw new InvalidOptionError(owner, `${path}.factor`, this.factor, 'a finite number >= 1');
    }
    if (this.jitter < 0 || this.jitter > 1) {
      throw new InvalidOptionError(owner, `${path}.jitter`, this.jitter, 'a number from 0 to 1');
    }
    if (this.resetAfterMs < 0) {
      throw new InvalidOptionError(
        owner,
        `${path}.resetAfterMs`,
        this.resetAfterMs,
        'a number >= 0',
      );
    }

    const random = options?.random ?? Math.random;
    if (typeof random !== 'function') {
      throw new InvalidOptionError(owner, `${path}.random`, random, 'a function returning [0, 1)');
    }
    this.#random = random;
    this.#spread = this.jitter === 1 ? Infinity : (1 + this.jitter) / (1 - this.jitter);
  }

  /**
   * The wait before the restart that follows the `failures`-th consecutive failure, in ms; 0 or
   * less failures (a restart after a completion) waits `minMs` exactly.
   *
   * @throws Whatever the `random` source throws.
   */
  delay(failures: number): number {
    const floor = this.floor(failures);
    const ceiling = this.#ceiling(failures);
    if (ceiling <= floor) return floor;

    let draw = this.#random();
    if (!(draw >= 0)) draw = 0;
    else if (draw >= 1) draw = 0.9999999999999999;
    return Math.min(ceiling, floor + draw * (ceiling - floor));
  }

  /** The shortest wait {@link delay} can return for `failures`; used when the random source fails. */
  floor(failures: number): number {
    if (failures <= 0 || this.minMs === 0) return this.minMs;
    const base = this.#base(failures);
    return Math.max(this.minMs, Math.min(base, this.#ceiling(failures) / this.#spread));
  }

  #ceiling(failures: number): number {
    if (failures <= 0 || this.minMs === 0) return this.minMs;
    return Math.min(this.maxMs, this.#base(failures) * this.#spread);
  }

  /** `minMs * factor^(failures-1)`, which may be `Infinity` for very long failure streaks. */
  #base(failures: number): number {
    return this.minMs * this.factor ** (failures - 1);
  }
}
