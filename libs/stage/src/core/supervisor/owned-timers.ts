/** One pending wait of an {@link OwnedTimers}. */
export interface PendingWait {
  /** Resolves `true` when the wait is over, or `false` when it was cancelled first. */
  readonly done: Promise<boolean>;
  /** Cancels this wait only; does nothing once it is over. */
  cancel(): void;
}

/**
 * The timers one supervisor has armed, cancellable all at once, so that nothing it armed outlives
 * its stop (a pending timer would keep the process alive and could act on a later run).
 */
export class OwnedTimers {
  /** One cancel function per pending wait; a wait leaves the set when it fires or is cancelled. */
  readonly #pending = new Set<() => void>();

  /**
   * Starts a wait of `ms`. A wait of 0 ms still yields one turn of the event loop
   * (`setImmediate`), so that a loop of zero-delay restarts never starves other work.
   */
  wait(ms: number): PendingWait {
    let cancel: () => void = () => {};
    const done = new Promise<boolean>((resolve) => {
      let clear: () => void;
      const fire = (): void => {
        this.#pending.delete(cancel);
        resolve(true);
      };
      cancel = () => {
        if (!this.#pending.delete(cancel)) return;
        clear();
        resolve(false);
      };
      if (ms > 0) {
        const timeout = setTimeout(fire, ms);
        clear = () => clearTimeout(timeout);
      } else {
        const immediate = setImmediate(fire);
        clear = () => clearImmediate(immediate);
      }
      this.#pending.add(cancel);
    });
    return { done, cancel };
  }

  /** Cancels every pending wait: each resolves `false` and its timer is cleared. */
  cancelAll(): void {
    for (const cancel of [...this.#pending]) cancel();
  }

  /** How many waits are pending. */
  get size(): number {
    return this.#pending.size;
  }
}
