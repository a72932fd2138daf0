import { InvalidOptionError } from '../errors/invalid-option-error.js';

/** 2^32, to map a 32-bit unsigned integer into [0, 1). */
const UINT32_RANGE = 4_294_967_296;

/**
 * A small, fast, seedable source of randomness returning numbers in [0, 1), for Stage's
 * `random` options (for example `backoff.random`), so that tests and simulations are repeatable.
 *
 * The same seed always yields the same sequence. It is a statistical generator (a Weyl sequence
 * passed through an integer mixer), good for spreading restarts; it is **not** suitable for
 * anything secret.
 *
 * Each call to `seededRandom` returns an independent generator; generators share no state.
 *
 * @param seed Any finite number. Its integer part and its fraction both select the sequence.
 * @throws {InvalidOptionError} When `seed` is not a finite number.
 *
 * @example
 * const group = new TaskGroup({ name: 'poller', task, backoff: { random: seededRandom(42) } });
 */
export function seededRandom(seed: number): () => number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new InvalidOptionError('seededRandom', 'seed', seed, 'a finite number');
  }

  const whole = Math.trunc(seed);
  /** The generator's position; advances by a fixed odd step on every draw. */
  let state = (whole ^ Math.trunc((seed - whole) * UINT32_RANGE)) >>> 0;

  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 16), 0x21f0aaad);
    mixed = Math.imul(mixed ^ (mixed >>> 15), 0x735a2d97);
    mixed ^= mixed >>> 15;
    return (mixed >>> 0) / UINT32_RANGE;
  };
}
