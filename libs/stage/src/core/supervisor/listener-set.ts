/**
 * The listeners of one event source. Emitting never throws: a listener that throws is reported
 * through `onListenerError` and the other listeners still run.
 */
export class ListenerSet<TEvent> {
  /** In subscription order; a listener subscribed twice runs twice. */
  readonly #listeners: ((event: TEvent) => void)[] = [];

  /** Subscribes `listener`; returns a function that unsubscribes it (once). */
  add(listener: (event: TEvent) => void): () => void {
    const entry = (event: TEvent): void => listener(event);
    this.#listeners.push(entry);
    return () => {
      const index = this.#listeners.indexOf(entry);
      if (index >= 0) this.#listeners.splice(index, 1);
    };
  }

  /**
   * Calls every listener with `event`, synchronously, in subscription order. A listener added or
   * removed during the call takes effect from the next event.
   */
  emit(event: TEvent, onListenerError: (error: unknown) => void): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        onListenerError(error);
      }
    }
  }
}
