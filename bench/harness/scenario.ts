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
