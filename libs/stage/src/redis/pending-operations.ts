/**
 * The commands a Redis channel storage has sent and not yet heard back about, so that closing can
 * wait for them (up to a deadline) and report the acknowledgements that were never confirmed.
 * Internal.
 */
export class PendingOperations {
  /** Every operation still running; each removes itself when it settles. */
  readonly #running = new Set<Promise<unknown>>();
  /** How many acknowledgements the operations still running carry. */
  #acks = 0;

  /** How many acknowledgements are still waiting for the server. */
  get pendingAcks(): number {
    return this.#acks;
  }

  /**
   * Follows `operation` until it settles; returns it unchanged. `acks` is how many
   * acknowledgements it carries (0 for anything else), counted in `pendingAcks` meanwhile.
   */
  track<TResult>(operation: Promise<TResult>, acks = 0): Promise<TResult> {
    this.#running.add(operation);
    this.#acks += acks;
    const forget = (): void => {
      this.#running.delete(operation);
      this.#acks -= acks;
    };
    operation.then(forget, forget);
    return operation;
  }

  /**
   * Resolves once every operation running now has settled (true), or after `timeoutMs` (false),
   * whichever comes first. Never rejects, and leaves no timer behind.
   */
  async settle(timeoutMs: number): Promise<boolean> {
    if (this.#running.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, timeoutMs, false);
    });
    const all = Promise.allSettled([...this.#running]).then(() => true as const);
    try {
      return await Promise.race([all, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
