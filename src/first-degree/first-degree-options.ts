/** How the first degree's HTTP handler waits for, and retries, a lost request. */
export interface FirstDegreeOptions {
  /** How long the handler waits for a reply before it queues the request again, in ms. */
  readonly retryAfterMs: number;
  /** How many times a request is queued in all before the handler answers 503. */
  readonly maxAttempts: number;
}

/** The injection token of {@link FirstDegreeOptions}. */
export const FIRST_DEGREE_OPTIONS = Symbol('FIRST_DEGREE_OPTIONS');
