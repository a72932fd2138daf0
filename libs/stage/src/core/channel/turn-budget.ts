import { performance as processClock } from 'node:perf_hooks';

/**
 * How long, in ms, a channel's consumers may go on taking messages since one of them last yielded
 * to the event loop; past it, the next one to take yields once (`setImmediate`) first. A consumer
 * that feeds its own channel, or whose handler returns at once, would otherwise take message
 * after message in one macrotask, and no timer, I/O or stop could get in. A time budget rather
 * than a count of messages bounds that wait however long each message takes, and costs one yield
 * per budget: nothing measurable on throughput.
 */
export const TURN_BUDGET_MS = 5;

/** How many deliveries a channel hands out between two looks at the clock (see TURN_BUDGET_MS). */
export const DELIVERIES_PER_CLOCK_CHECK = 128;

/**
 * The fairness clock of one channel: whether its consumers have kept the event loop long enough
 * that the next one to take must yield a turn first. The channel counts each delivery it hands
 * out; its consumers ask {@link owed} before taking and call {@link taken} when they yield.
 * Internal to channels.
 *
 * The clock is `performance` from `node:perf_hooks`, read at most once per
 * {@link DELIVERIES_PER_CLOCK_CHECK} deliveries; fake timers in tests do not replace it.
 *
 * Cancellation and restart: the budget belongs to the channel, not to a run. A consumer stopped
 * or restarted mid-budget leaves it as it is; the next consumer to take pays the turn that is
 * owed. Nothing here fails: it only reads the clock.
 */
export class TurnBudget {
  /** Deliveries handed out since the clock was last read; below the check interval. */
  #handedSinceCheck = 0;
  /** When a consumer last yielded to the event loop (or the channel was made). */
  #startedAt = processClock.now();
  /** Set once `TURN_BUDGET_MS` has passed since `#startedAt`; cleared only when one yields. */
  #owed = false;

  /** Whether a consumer must yield to the event loop before it takes more. */
  get owed(): boolean {
    return this.#owed;
  }

  /** One delivery was handed out; every {@link DELIVERIES_PER_CLOCK_CHECK}, reads the clock. */
  handedOne(): void {
    if (++this.#handedSinceCheck === DELIVERIES_PER_CLOCK_CHECK) this.#check();
  }

  /** A consumer is yielding to the event loop: the budget starts over. */
  taken(): void {
    this.#owed = false;
    this.#handedSinceCheck = 0;
    this.#startedAt = processClock.now();
  }

  #check(): void {
    this.#handedSinceCheck = 0;
    if (processClock.now() - this.#startedAt >= TURN_BUDGET_MS) this.#owed = true;
  }
}
