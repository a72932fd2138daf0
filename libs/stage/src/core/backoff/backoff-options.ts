/**
 * A jittered exponential backoff. Before the restart that follows the n-th consecutive failure
 * of a task, the task waits a random time between `minMs * factor^(n-1)` and three times that
 * (with the default `jitter` of 0.5), so that tasks failing together do not restart together.
 * Once three times that passes `maxMs`, the wait is drawn between a third of `maxMs` and `maxMs`
 * instead: tasks that all reached the cap still spread out. See {@link Backoff} for the rule.
 */
export interface BackoffOptions {
  /** The shortest wait, in ms; default 100. 0 is allowed: a restart still yields to the event loop. */
  readonly minMs?: number;
  /** The longest wait, in ms; default 30,000. At most 2,147,483,647 (the longest Node timer). */
  readonly maxMs?: number;
  /** The growth per consecutive failure, >= 1; default 2. */
  readonly factor?: number;
  /**
   * How much of each wait is random, from 0 (none: waits are exactly `minMs * factor^(n-1)`,
   * capped at `maxMs`) to 1; default 0.5. A wait is drawn between a floor and a ceiling
   * `(1 + jitter) / (1 - jitter)` times it (3 times by default): the floor is the un-jittered
   * wait until the ceiling reaches `maxMs`, then `maxMs` divided by that ratio. Never below
   * `minMs` nor above `maxMs`.
   */
  readonly jitter?: number;
  /** A run that lasted at least this long resets the failure count; default 10,000 ms. */
  readonly resetAfterMs?: number;
  /** The source of randomness, returning numbers in [0, 1); default `Math.random`. Seed it in tests. */
  readonly random?: () => number;
}
