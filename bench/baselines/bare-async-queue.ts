/**
 * The simplest async queue one event loop allows: an array of items and an array of waiting
 * resolvers. It is the upper bound the Stage channel is measured against.
 *
 * It gives no guarantee at all: unbounded (no backpressure), no ids, no redelivery when a
 * consumer throws, no close, no abort, no ledger. A consumer that crashes while holding an item
 * loses it.
 *
 * Both arrays are read from a head index rather than with `Array.prototype.shift`, which copies
 * the whole array once it is large (V8 moves arrays over ~128 KB out of the young generation,
 * where shift can no longer trim in place): with `shift`, 20,000 buffered items run 30 times
 * slower, which would make this an unfairly low bound.
 */
export class BareAsyncQueue<TItem> {
  /** Items pushed while no consumer was waiting, oldest first. */
  private readonly items = new ArrayFifo<TItem>();
  /** Consumers waiting for an item, oldest first; non-empty only while `items` is empty. */
  private readonly waiting = new ArrayFifo<(item: TItem) => void>();

  /** Hands `item` to the oldest waiting consumer, or buffers it. Never waits. */
  push(item: TItem): void {
    if (this.waiting.length > 0) this.waiting.take()(item);
    else this.items.put(item);
  }

  /** Takes the oldest item, waiting for one when the queue is empty. */
  shift(): Promise<TItem> {
    if (this.items.length > 0) return Promise.resolve(this.items.take());
    return new Promise<TItem>((resolve) => this.waiting.put(resolve));
  }

  /** Consumers currently waiting. */
  get waitingCount(): number {
    return this.waiting.length;
  }
}

/** A first-in first-out list on one array and a head index. */
class ArrayFifo<TItem> {
  /** Live entries are `slots[head]` to `slots[slots.length - 1]`; earlier slots are cleared. */
  private readonly slots: (TItem | undefined)[] = [];
  /** Index of the oldest live entry. */
  private head = 0;

  get length(): number {
    return this.slots.length - this.head;
  }

  put(item: TItem): void {
    this.slots.push(item);
  }

  /** Removes and returns the oldest entry. The caller checks `length > 0` first. */
  take(): TItem {
    const item = this.slots[this.head] as TItem;
    this.slots[this.head] = undefined;
    this.head += 1;
    if (this.head === this.slots.length) {
      this.slots.length = 0;
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.slots.length) {
      this.slots.copyWithin(0, this.head);
      this.slots.length -= this.head;
      this.head = 0;
    }
    return item;
  }
}
