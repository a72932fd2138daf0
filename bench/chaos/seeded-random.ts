/**
 * A small seeded pseudo-random generator (mulberry32), so that a chaos run can be replayed from
 * its seed. Not for cryptography.
 */
export class SeededRandom {
  /** The generator's 32-bit state; advanced by every draw. */
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let mixed = this.state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Whether an event of probability `probability` happens on this draw. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** An integer in [min, max], both included. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One element of a non-empty list. */
  pick<TItem>(items: readonly TItem[]): TItem {
    return items[Math.floor(this.next() * items.length)];
  }
}

/**
 * A number in [0, 1) determined by `seed`, `first` and `second` alone (a 32-bit integer hash), so
 * that a message's fate on a given delivery is the same in every replay of a seed, whatever the
 * timing of the run.
 */
export function hashUnit(seed: number, first: number, second: number): number {
  let hash = (seed ^ Math.imul(first, 0x9e3779b1) ^ Math.imul(second + 1, 0x85ebca6b)) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 16), 0x7feb352d);
  hash = Math.imul(hash ^ (hash >>> 15), 0x846ca68b);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 4_294_967_296;
}
