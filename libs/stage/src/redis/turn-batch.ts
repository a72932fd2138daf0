/** What a {@link TurnBatch} does with the items it gathers. */
export interface TurnBatchOptions<TItem, TResult> {
  /** The most items one call carries; a longer turn's items are split into several calls. */
  readonly maxPerCall: number;
  /** Sends items in one round trip; resolves with one result per item, in order. */
  readonly send: (items: readonly TItem[]) => Promise<readonly TResult[]>;
  /** Called with each call as it is sent, so that closing can wait for it. */
  readonly track?: (call: Promise<unknown>, items: readonly TItem[]) => void;
  /** The server answered for one item. */
  readonly done: (item: TItem, result: TResult) => void;
  /** The call carrying these items failed as a whole. */
  readonly failed: (items: readonly TItem[], error: unknown) => void;
}

/**
 * Commands of one Redis channel storage gathered over a turn of the event loop and sent together:
 * every item added before the next `process.nextTick` goes into one call (a batch of messages
 * sent, or of deliveries settled, in a row costs one round trip and one command, not one each),
 * and each item still hears its own result. Internal.
 *
 * **Failure.** A call that fails as a whole fails every item it carried; nothing is retried here.
 * A `send` that throws counts as a failed call.
 *
 * **Closing.** {@link TurnBatch.flush} sends what is queued at once, so that the storage can wait
 * for it before closing its connections; {@link TurnBatch.queued} counts what was never sent.
 */
export class TurnBatch<TItem, TResult> {
  readonly #options: TurnBatchOptions<TItem, TResult>;
  /** Items added since the last flush, in the order they were added. */
  #items: TItem[] = [];
  /** Set while a flush is scheduled, so that a turn schedules one at most. */
  #scheduled = false;

  constructor(options: TurnBatchOptions<TItem, TResult>) {
    this.#options = options;
  }

  /** How many items are queued and not sent yet. */
  get queued(): number {
    return this.#items.length;
  }

  /** Queues `item`; it is sent at the end of this turn. */
  add(item: TItem): void {
    this.#items.push(item);
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(() => this.flush());
  }

  /** Takes `item` back if it is still queued (not sent yet); returns whether it was. */
  remove(item: TItem): boolean {
    const index = this.#items.indexOf(item);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    return true;
  }

  /** Sends every queued item now. */
  flush(): void {
    this.#scheduled = false;
    const items = this.#items;
    if (items.length === 0) return;
    this.#items = [];
    const { maxPerCall } = this.#options;
    if (items.length <= maxPerCall) {
      this.#send(items);
      return;
    }
    for (let start = 0; start < items.length; start += maxPerCall) {
      this.#send(items.slice(start, start + maxPerCall));
    }
  }

  #send(items: readonly TItem[]): void {
    const { send, track, done, failed } = this.#options;
    let call: Promise<readonly TResult[]>;
    try {
      call = send(items);
    } catch (error) {
      call = Promise.reject(error);
    }
    track?.(call, items);
    call.then(
      (results) => {
        for (let index = 0; index < items.length; index += 1) done(items[index], results[index]);
      },
      (error: unknown) => failed(items, error),
    );
  }
}
