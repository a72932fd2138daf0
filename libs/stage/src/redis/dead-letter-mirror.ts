import type { DeadLetter } from '../core/channel/dead-letter.js';
import type { MessageId } from '../core/channel/message-id.js';

/** A dead letter as the mirror holds it, with its entry id in the dead-letter stream. */
export interface MirroredLetter<TMessage> {
  readonly letter: DeadLetter<TMessage>;
  /** Resolves with the dead-letter stream's entry id ('' when it was not recorded). */
  readonly entryId: Promise<string>;
}

/**
 * This process's view of a channel's dead-letter stream, so that `deadLetters()` stays
 * synchronous: the letters this process adds, refreshed from Redis (which holds those of every
 * replica) on each maintenance tick. Bounded like the stream: past `capacity`, the oldest goes.
 * Internal.
 */
export class DeadLetterMirror<TMessage> {
  /** Oldest first, never more than `capacity`. */
  #letters: MirroredLetter<TMessage>[] = [];

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.#letters.length;
  }

  /** Adds a letter; returns the one evicted to make room, if any. */
  add(letter: DeadLetter<TMessage>, entryId: Promise<string>): DeadLetter<TMessage> | undefined {
    this.#letters.push({ letter, entryId });
    return this.#letters.length > this.capacity ? this.#letters.shift()?.letter : undefined;
  }

  /** Removes `letter` (this very object), if the mirror still holds it. */
  forget(letter: DeadLetter<TMessage>): void {
    this.#letters = this.#letters.filter((held) => held.letter !== letter);
  }

  snapshot(): DeadLetter<TMessage>[] {
    return this.#letters.map((held) => held.letter);
  }

  /** Removes and returns the letters with the given ids (all when `ids` is omitted). */
  take(ids?: readonly MessageId[]): MirroredLetter<TMessage>[] {
    if (ids === undefined) {
      const all = this.#letters;
      this.#letters = [];
      return all;
    }
    const wanted = new Set(ids);
    const taken = this.#letters.filter((held) => wanted.has(held.letter.id));
    this.#letters = this.#letters.filter((held) => !wanted.has(held.letter.id));
    return taken;
  }

  /** Replaces the view with the stream's content, oldest first. */
  replace(letters: readonly MirroredLetter<TMessage>[]): void {
    this.#letters = letters.slice(-this.capacity);
  }
}
