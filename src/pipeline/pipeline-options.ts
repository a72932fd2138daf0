/** How fast the pipeline's ticker produces. */
export interface PipelineOptions {
  /** The pause between two ticks, in ms. */
  readonly tickIntervalMs: number;
}

/** The injection token of {@link PipelineOptions}. */
export const PIPELINE_OPTIONS = Symbol('PIPELINE_OPTIONS');
