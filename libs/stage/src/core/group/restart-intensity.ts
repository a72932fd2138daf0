import type { IntensityOptions } from './task-group-options.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

/**
 * A restart intensity: at most `maxRestarts` restarts within any sliding window of `withinMs`.
 *
 * Memory is bounded: it keeps at most `maxRestarts` timestamps in a ring that grows on demand up
 * to that size, and with `false` (no limit) it keeps nothing at all. A timestamp `t` counts
 * against a restart at `now` while `now - t < withinMs`.
 *
 * Not a user-facing API: groups and supervisors own one each, and reset it when a new run
 * starts.
 */
export class RestartIntensity {
  /** The limit, or `undefined` for no limit. */
  readonly #limit: IntensityOptions | undefined;
  /** Timestamps of the restarts still in the window, oldest at `#head`; length <= maxRestarts. */
  #ring: number[] = [];
  /** Index in `#ring` of the oldest recorded timestamp. */
  #head = 0;
  /** How many timestamps of `#ring` are recorded. */
  #count = 0;

  /**
   * @param limit The limit, or `false` for none.
   * @param owner Names the owner in errors, for example `group "mailer"`.
   * @throws {InvalidOptionError} When `limit` is neither `false` nor valid intensity options.
   */
  constructor(limit: IntensityOptions | false, owner = 'restart intensity') {
    this.#limit = limit === false ? undefined : validateIntensity(limit, owner);
  }

  /**
   * Records a restart at `now` (ms). Returns false when this restart would exceed the limit (and
   * records nothing then). Pass a monotonic time (`performance.now()`): with the wall clock, a
   * clock set back would keep old restarts in the window, and one set forward would forget them.
   */
  tryRecord(now: number): boolean {
    const limit = this.#limit;
    if (limit === undefined) return true;

    const ring = this.#ring;
    while (this.#count > 0 && now - ring[this.#head]! >= limit.withinMs) {
      this.#head = this.#head + 1 === ring.length ? 0 : this.#head + 1;
      this.#count--;
    }
    if (this.#count >= limit.maxRestarts) return false;

    this.#append(now, limit.maxRestarts);
    return true;
  }

  /**
   * A new intensity with `limit` that remembers the latest restarts recorded here (at most
   * `limit.maxRestarts`), so that changing the limit of a running group does not open a fresh
   * window: a crash loop cannot escape its intensity by being resized.
   *
   * @throws {InvalidOptionError} When `limit` is neither `false` nor valid intensity options.
   */
  withLimit(limit: IntensityOptions | false, owner?: string): RestartIntensity {
    const next = new RestartIntensity(limit, owner);
    const max = limit === false ? 0 : limit.maxRestarts;
    const ring = this.#ring;
    for (let i = Math.max(0, this.#count - max); i < this.#count; i++) {
      next.#append(ring[(this.#head + i) % ring.length]!, max);
    }
    return next;
  }

  /** Forgets every recorded restart. */
  reset(): void {
    this.#ring = [];
    this.#head = 0;
    this.#count = 0;
  }

  /** Records `at` as the newest timestamp; the caller checked that there is room. */
  #append(at: number, max: number): void {
    if (this.#count === this.#ring.length) this.#grow(max);
    const tail = (this.#head + this.#count) % this.#ring.length;
    this.#ring[tail] = at;
    this.#count++;
  }

  /** Doubles the ring (up to `max` slots), keeping the recorded timestamps in order from 0. */
  #grow(max: number): void {
    const size = Math.min(max, Math.max(4, this.#ring.length * 2));
    const next = new Array<number>(size);
    for (let i = 0; i < this.#count; i++)
      next[i] = this.#ring[(this.#head + i) % this.#ring.length]!;
    this.#ring = next;
    this.#head = 0;
  }
}

/**
 * Checks intensity options: `maxRestarts` an integer >= 0, `withinMs` a finite number > 0.
 *
 * @throws {InvalidOptionError} Naming `intensity` or `intensity.<field>` and the value received.
 */
export function validateIntensity(value: unknown, owner: string): IntensityOptions {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidOptionError(owner, 'intensity', value, '{ maxRestarts, withinMs } or false');
  }
  const { maxRestarts, withinMs } = value as Partial<IntensityOptions>;
  if (typeof maxRestarts !== 'number' || !Number.isInteger(maxRestarts) || maxRestarts < 0) {
    throw new InvalidOptionError(owner, 'intensity.maxRestarts', maxRestarts, 'an integer >= 0');
  }
  if (typeof withinMs !== 'number' || !Number.isFinite(withinMs) || withinMs <= 0) {
    throw new InvalidOptionError(owner, 'intensity.withinMs', withinMs, 'a finite number > 0');
  }
  return { maxRestarts, withinMs };
}
