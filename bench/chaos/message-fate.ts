import { hashUnit } from './seeded-random.js';
import type { ResolvedChaosOptions } from './chaos-options.js';

/**
 * What a consumer does with one delivery of a chaos message:
 * - `sync` / `async`: the work succeeds, at once or after yielding to the event loop;
 * - `fail-before`: it throws before doing the work;
 * - `fail-after`: it does the work (a side effect), then throws: a redelivery repeats the effect;
 * - `slow`: the work succeeds after a few ms (under the handler timeout), so that a request with
 *   a short timeout can time out in the handler's hands and get a late reply;
 * - `hang`: (handler mode) it takes longer than the handler timeout, then does the work late.
 */
export type Fate = 'sync' | 'async' | 'slow' | 'fail-before' | 'fail-after' | 'hang';

/** Where a message goes and how it is sent, drawn from its sequence number. */
export type Route = 'loop-send' | 'handler-send' | 'handler-request';

/** The share of successful deliveries that yield to the event loop before finishing. */
const ASYNC_SHARE = 0.1;
/** The share of deliveries that take a few ms. */
const SLOW_SHARE = 0.002;

/**
 * Decides messages' fates and routes from the seed alone, so that a replay of a seed gives every
 * message the same story, whatever the timing of the run.
 */
export class MessageFates {
  constructor(private readonly options: ResolvedChaosOptions) {}

  /** Whether message `seq` fails on every delivery (and must end dead-lettered). */
  isPoison(seq: number): boolean {
    return hashUnit(this.options.seed, seq, 0) < this.options.poisonRate;
  }

  /** The fate of delivery number `deliveryCount` (from 1) of message `seq`. */
  fate(seq: number, deliveryCount: number): Fate {
    if (this.isPoison(seq)) return 'fail-before';
    const draw = hashUnit(this.options.seed, seq, deliveryCount);
    const { failureRate, hangRate } = this.options;
    if (draw < failureRate / 2) return 'fail-before';
    if (draw < failureRate) return 'fail-after';
    if (draw < failureRate + hangRate) return 'hang';
    if (draw < failureRate + hangRate + SLOW_SHARE) return 'slow';
    if (draw < failureRate + hangRate + SLOW_SHARE + ASYNC_SHARE) return 'async';
    return 'sync';
  }

  /** Half the messages go to the loop-mode channel; of the rest, `requestShare` are requests. */
  route(seq: number): Route {
    const draw = hashUnit(this.options.seed ^ 0x5eed, seq, 0xffff);
    if (draw < 0.5) return 'loop-send';
    return (draw - 0.5) * 2 < this.options.requestShare ? 'handler-request' : 'handler-send';
  }

  /** The request timeout: usually generous, sometimes (1 in 10) a few ms, to force withdrawals. */
  requestTimeoutMs(seq: number): number {
    const draw = hashUnit(this.options.seed ^ 0x7173, seq, 0xfffe);
    return draw < 0.1 ? Math.floor(draw * 40) : 5_000;
  }
}
