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
  /** Ticks the channel accepted that the auditor never audited. */
  readonly lost: number;
}

/** Puts together the pipeline's report. */
export function pipelineReport(
  beforeWindDown: PipelineRestarts,
  windDown: WindDown,
  counters: PipelineCounters,
): PipelineReport {
  return {
    beforeWindDown,
    windDown,
    counters,
    lost: Math.max(0, counters.ticksSent - counters.audit.audited),
  };
}
