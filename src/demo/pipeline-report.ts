import type { PipelineCounters, PipelineRestarts } from './pipeline-counters.js';
import type { WindDown } from './pipeline-wind-down.js';

/** Everything the demo learned about the pipeline. */
export interface PipelineReport {
  /** The supervisor as the ticker was stopped: every restart until then took both children. */
  readonly beforeWindDown: PipelineRestarts;
  /** How the wind-down ended. */
  readonly windDown: WindDown;
  /** The counters once wound down. */
  readonly counters: PipelineCounters;
  /** Ticks still in the channel at the end (buffered, in flight or waiting to be redelivered). */
  readonly pending: number;
  /**
   * Ticks the channel accepted that ended no counted way: neither audited, nor dead-lettered, nor
   * still pending. Stage promises 0.
   */
  readonly lost: number;
}

/** Puts together the pipeline's report. */
export function pipelineReport(
  beforeWindDown: PipelineRestarts,
  windDown: WindDown,
  counters: PipelineCounters,
): PipelineReport {
  const { ticksSent, audit, ledger } = counters;
  const pending = ledger.buffered + ledger.inFlight + ledger.delayed;
  return {
    beforeWindDown,
    windDown,
    counters,
    pending,
    lost: Math.max(0, ticksSent - audit.audited - ledger.deadLettered - pending),
  };
}
