/** What a row must reach: a minimum ratio, or a maximum value of the Stage figure. */
export type Target =
  | { readonly kind: 'ratio-at-least'; readonly value: number }
  | { readonly kind: 'value-at-most'; readonly value: number; readonly unit: string };

/** A measured figure with its unit, for example 812,000 msg/s. */
export interface Figure {
  readonly value: number;
  readonly unit: string;
}

/** How one row of the performance table came out. */
export type RowOutcome =
  | {
      readonly kind: 'measured';
      readonly stage: Figure;
      readonly baseline: Figure;
      /** Stage over baseline, as the DESIGN table defines it for this row. */
      readonly ratio: number;
      /** Whether the target was met (and any extra condition, such as "0 lost"). */
      readonly met: boolean;
      /** Anything the figures alone do not say, for example `0 lost`. */
      readonly note?: string;
    }
  | { readonly kind: 'baseline-only'; readonly baseline: Figure; readonly reason: string }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'failed'; readonly error: string };

/** One row of the performance table: a DESIGN target and what this run measured for it. */
export interface ResultRow {
  /** A stable id, also usable to select the scenario on the command line. */
  readonly id: string;
  /** The DESIGN table's "what". */
  readonly scenario: string;
  /** The DESIGN table's "compared with". */
  readonly comparedWith: string;
  readonly target: Target;
  readonly outcome: RowOutcome;
  /** Everything else worth keeping in the JSON: per-round figures, settings, ledger counts. */
  readonly details: Readonly<Record<string, unknown>>;
}
