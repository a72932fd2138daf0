/** How the second degree's HTTP handler waits for its reply. */
export interface SecondDegreeOptions {
  /** How long a request waits for its reply, in ms, before the handler answers 504. */
  readonly requestTimeoutMs: number;
}

/** The injection token of {@link SecondDegreeOptions}. */
export const SECOND_DEGREE_OPTIONS = Symbol('SECOND_DEGREE_OPTIONS');
