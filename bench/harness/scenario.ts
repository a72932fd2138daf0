import type { ThroughputComparison } from './compare-throughput.js';
import type { RowOutcome, Target } from './result-row.js';

/** How hard the harness works: the full run, or a quick one to check that everything runs. */
export interface RunSettings {
  /** Fewer rounds and smaller batches; figures are rougher but every path runs. */
  readonly quick: boolean;
}

/** What a scenario measured: the row's outcome and the details kept in the JSON. */
export interface ScenarioResult {
  readonly outcome: RowOutcome;
  readonly details: Readonly<Record<string, unknown>>;
}

/** One row of the DESIGN performance table, with the code that measures it. */
export interface Scenario {
  /** A stable id, used on the command line to run only some scenarios. */
  readonly id: string;
  /** The DESIGN table's "what". */
  readonly scenario: string;
  /** The DESIGN table's "compared with". */
  readonly comparedWith: string;
  readonly target: Target;
  /** Measures the row. A thrown error is reported as a failed row; the other rows still run. */
  run(settings: RunSettings): Promise<ScenarioResult>;
}

/** Whether `ratio` meets a ratio target. */
export function meetsRatio(target: Target, ratio: number): boolean {
  return target.kind === 'ratio-at-least' && ratio >= target.value;
}

/**
 * The outcome of a throughput row: both figures in `unit`, the ratio, and whether it meets
 * `target` and every extra condition in `alsoMet` (for example, nothing lost).
 */
export function throughputOutcome(
  comparison: ThroughputComparison,
  target: Target,
  unit: string,
  extra: { readonly alsoMet?: boolean; readonly note?: string } = {},
): RowOutcome {
  return {
    kind: 'measured',
    stage: { value: comparison.stage.opsPerSecond, unit },
    baseline: { value: comparison.baseline.opsPerSecond, unit },
    ratio: comparison.ratio,
    met: meetsRatio(target, comparison.ratio) && (extra.alsoMet ?? true),
    ...(extra.note === undefined ? {} : { note: extra.note }),
  };
}
