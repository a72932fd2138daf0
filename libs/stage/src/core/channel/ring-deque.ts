/**
 * A double-ended queue on a growable ring buffer: `push`, `unshift` and `shift` are O(1)
 * (amortized), unlike `Array.prototype.shift`, which copies the whole array.
 *
 * Internal to channels. Not safe to mutate while iterating with {@link RingDeque.forEach}.
 */
export class RingDeque<TItem> {
  /** The slots; its length is always a power of two, and empty slots hold `undefined`. */
  #slots: (TItem | undefined)[];
  /** `slots.length - 1`, to wrap indices with a bitwise and. */
  #mask: number;
  /** The slot of the first item, valid when `length > 0`. */
  #head = 0;
  /** How many items are held. */
  #count = 0;

  constructor(initialCapacity = 16) {
    let size = 2;
    while (size < initialCapacity) size *= 2;
    this.#slots = newSlots<TItem>(size);
    this.#mask = size - 1;
  }

  /** How many items are held. */
  get length(): number {
    return this.#count;
  }

  /** Appends `item` at the back. */
  push(item: TItem): void {
    if (this.#count === this.#slots.length) this.#grow();
    this.#slots[(this.#head + this.#count) & this.#mask] = item;
    this.#count++;
  }

  /** Inserts `item` at the front. */
  unshift(item: TItem): void {
    if (this.#count === this.#slots.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#slots[this.#head] = item;
    this.#count++;
  }

  /** Removes and returns the front item, or `undefined` when empty. */
  shift(): TItem | undefined {
    if (this.#count === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#count--;
    return item;
  }

  /** The front item, or `undefined` when empty. */
  peek(): TItem | undefined {
    return this.#count === 0 ? undefined : this.#slots[this.#head];
  }

  /**
   * Removes `item` wherever it is; O(distance from the front), which is short in the common case
   * of removing old items. Returns whether it was found.
   */
  remove(item: TItem): boolean {
    for (let offset = 0; offset < this.#count; offset++) {
      if (this.#slots[(this.#head + offset) & this.#mask] !== item) continue;
      for (let index = offset; index > 0; index--) {
        this.#slots[(this.#head + index) & this.#mask] =
          this.#slots[(this.#head + index - 1) & this.#mask];
      }
      this.#slots[this.#head] = undefined;
      this.#head = (this.#head + 1) & this.#mask;
      this.#count--;
      return true;
    }
    return false;
  }

  /** Calls `visit` on each item, front to back. */
  forEach(visit: (item: TItem) => void): void {
    for (let offset = 0; offset < this.#count; offset++) {
      visit(this.#slots[(this.#head + offset) & this.#mask] as TItem);
    }
  }

  /** Removes every item and returns them, front to back. */
  clear(): TItem[] {
    const items: TItem[] = [];
    while (this.#count > 0) items.push(this.shift() as TItem);
    return items;
  }

  /** Doubles the slots, moving the items to the start in order. */
  #grow(): void {
    const slots = newSlots<TItem>(this.#slots.length * 2);
    for (let offset = 0; offset < this.#count; offset++) {
      slots[offset] = this.#slots[(this.#head + offset) & this.#mask];
    }
    this.#slots = slots;
    this.#mask = slots.length - 1;
    this.#head = 0;
  }
}

/** An array of `size` empty slots, kept packed so that reads stay fast. */
function newSlots<TItem>(size: number): (TItem | undefined)[] {
  const slots: (TItem | undefined)[] = [];
  for (let index = 0; index < size; index++) slots.push(undefined);
  return slots;
}
