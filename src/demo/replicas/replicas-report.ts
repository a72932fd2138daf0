import type { LoadResult } from '../load-result.js';
import type { RedisLeftovers } from './redis-run.js';
import type { ReplicaCounters } from './replica-counters.js';

/** Fields every replica's outcome has. */
interface ReplicaOutcomeBase {
  /** The replica's number, from 1. */
  readonly replica: number;
  /** Its consumer name in the Redis group. */
  readonly consumer: string;
  /** Whether the HTTP load was sent to it (otherwise it only consumed). */
  readonly front: boolean;
}

/**
 * How one replica's run ended:
 * - `closed`: gracefully, with its final counters.
 * - `killed`: with `SIGKILL` by the demo, while it held `stranded` messages (its pending entries in
 *   Redis right after its death); `counters` is its last report before the kill, if any.
 * - `failed`: it did not close as asked; `error` says why; `counters` is its last report.
 */
export type ReplicaOutcome = ReplicaOutcomeBase &
  (
    | { readonly kind: 'closed'; readonly counters: ReplicaCounters }
    | {
        readonly kind: 'killed';
        readonly stranded: number;
        readonly counters: ReplicaCounters | undefined;
      }
    | {
        readonly kind: 'failed';
        readonly error: string;
        readonly counters: ReplicaCounters | undefined;
      }
  );

/** Everything the demo learned from a `--redis` run. */
export interface ReplicasReport {
  /** The client's view of the HTTP load, over every replica that received some. */
  readonly load: LoadResult;
  /** Each replica's outcome, in order. */
  readonly replicas: readonly ReplicaOutcome[];
  /** Whether Redis had nothing left to deliver after the load, and how long that took, in ms. */
  readonly settle: { readonly settled: boolean; readonly ms: number };
  /** What was left in Redis once every replica had closed, before the keys were deleted. */
  readonly leftovers: RedisLeftovers;
  /** The run's key prefix. */
  readonly keyPrefix: string;
  /** How many keys were deleted under it at the end. */
  readonly keysDeleted: number;
  /** Requests sent that were never answered with the right sum, whoever handled them. */
  readonly lost: number;
}
