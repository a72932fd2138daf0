/**
 * One side of a side-by-side measurement: Stage or its baseline, doing the same work in batches.
 *
 * The harness opens a contender once, runs many batches, then closes it; a batch is the unit
 * that is timed, so it must do exactly `opsPerBatch` operations and resolve when the last one is
 * done (consumed, answered, restarted), not merely issued.
 */
export interface Contender {
  /** What this side is, as printed in the table, for example `Stage channel`. */
  readonly label: string;
  /** How many operations one batch performs; throughput is `opsPerBatch / batch time`. */
  readonly opsPerBatch: number;
  /** Builds the fixture (queues, consumers, connections). Not timed. */
  open(): Promise<OpenContender>;
}

/** A contender with its fixture built, ready to run batches. */
export interface OpenContender {
  /** Performs `opsPerBatch` operations; resolves when all of them have completed. */
  runBatch(): Promise<void>;
  /** Releases the fixture. Must leave no timer, socket or pending task behind. */
  close(): Promise<void>;
}
