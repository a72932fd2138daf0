import type { DeadLetter } from '../core/channel/dead-letter.js';
import type { MessageId } from '../core/channel/message-id.js';

/** A dead letter as the mirror holds it, with its entry id in the dead-letter stream. */
export interface MirroredLetter<TMessage> {
  readonly letter: DeadLetter<TMessage>;
  /** Resolves with the dead-letter stream's entry id ('' when it was not recorded). */
  readonly entryId: Promise<string>;
}

/** A mirrored letter and when this process added it (0 for one read back from Redis). */
interface HeldLetter<TMessage> extends MirroredLetter<TMessage> {
  readonly addedAt: number;
}

/**
 * This process's view of a channel's dead-letter stream, so that `deadLetters()` stays
 * synchronous: the letters this process adds, refreshed from Redis (which holds those of every
 * replica) on each maintenance tick. Bounded like the stream: past `capacity`, the oldest goes.
 * Internal.
 *
 * **Ordering.** A refresh reads the stream while this process may still be adding letters: a
 * letter added after the read was sent can be missing from what it returns. {@link replace}
 * therefore keeps every letter added since the {@link mark} taken before the read, unless the
 * read returned it; the next refresh, which sees it in the stream, takes its place.
 */
export class DeadLetterMirror<TMessage> {
  /** Oldest first, never more than `capacity`. */
  #letters: HeldLetter<TMessage>[] = [];
  /** How many letters this process has added; the last one's `addedAt`. */
  #added = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.#letters.length;
  }

  /** Adds a letter; returns the one evicted to make room, if any. */
  add(letter: DeadLetter<TMessage>, entryId: Promise<string>): DeadLetter<TMessage> | undefined {
    this.#added += 1;
    this.#letters.push({ letter, entryId, addedAt: this.#added });
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

  /** Where the mirror stands before a refresh reads the stream; passed to {@link replace}. */
  mark(): number {
    return this.#added;
  }

  /**
   * Replaces the view with the stream's content (oldest first) as read after `mark`, keeping the
   * letters added since then that the read did not return.
   */
  replace(letters: readonly MirroredLetter<TMessage>[], mark: number): void {
    const read = new Set(letters.map((mirrored) => mirrored.letter.id));
    const newer = this.#letters.filter((held) => held.addedAt > mark && !read.has(held.letter.id));
    const fromStream = letters.map((mirrored) => ({ ...mirrored, addedAt: 0 }));
    this.#letters = [...fromStream, ...newer].slice(-this.capacity);
  }
}
