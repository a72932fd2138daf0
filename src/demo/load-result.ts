/** What the load generator saw for one endpoint, from the client's side. */
export interface LoadResult {
  /** Requests sent, each with operands of its own. */
  readonly sent: number;
  /** Requests answered `2xx` with the right operands and sum. */
  readonly correct: number;
  /** Requests answered `2xx` with a body that is not the right sum. */
  readonly wrongSums: number;
  /** Requests answered with a status other than `2xx`. */
  readonly non2xx: number;
  /** Requests with no answer within the load generator's timeout. */
  readonly timeouts: number;
  /** Connection errors other than timeouts. */
  readonly connectionErrors: number;
  /**
   * Requests still unanswered when the load generator stopped. 0 when every connection drained
   * its last request within the grace period.
   */
  readonly cutOff: number;
  /** Latency of the answers, in ms. */
  readonly latency: { readonly p50: number; readonly p99: number };
  /** How long the load ran, draining included, in seconds. */
  readonly seconds: number;
}
