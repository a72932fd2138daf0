/** Options of `Channel.send`. */
export interface SendOptions {
  /**
   * Aborts the send while it waits for room (overflow `wait`): the sender gives its place back
   * and the send rejects with the signal's reason. Ignored once the message is accepted.
   */
  readonly signal?: AbortSignal;
}

/** Options of `Channel.request`. */
export interface RequestOptions {
  /**
   * How long to wait for the reply, in ms, from the call (waiting for room included); a finite
   * number >= 0. Default: no timeout, and no timer. Past it the request rejects with
   * `RequestTimeoutError`.
   */
  readonly timeoutMs?: number;
  /** Aborts the request: it rejects with the signal's reason. The listener is removed on settle. */
  readonly signal?: AbortSignal;
}

/** Options of `Channel.close`. */
export interface CloseOptions {
  /** How long consumers may drain what is left, in ms; default: the channel's `drainTimeoutMs`. */
  readonly timeoutMs?: number;
}
