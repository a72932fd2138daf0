/**
 * A jittered exponential backoff: the n-th consecutive failure of a task waits about
 * `minMs * factor^(n-1)`, capped at `maxMs`, with a random share taken off so that tasks failing
 * together do not restart together.
 */
export interface BackoffOptions {
  /** The shortest wait, in ms; default 100. 0 is allowed: a restart still yields to the event loop. */
  readonly minMs?: number;
  /** The longest wait, in ms; default 30,000. */
  readonly maxMs?: number;
  /** The growth per consecutive failure; default 2. */
  readonly factor?: number;
  /** The share of each wait that is random, from 0 (none) to 1; default 0.5. */
  readonly jitter?: number;
  /** A run that lasted at least this long resets the failure count; default 10,000 ms. */
  readonly resetAfterMs?: number;
  /** The source of randomness, returning numbers in [0, 1); default `Math.random`. Seed it in tests. */
  readonly random?: () => number;
}
