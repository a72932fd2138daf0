import type { ChannelStorage, StoredMessage } from './channel-storage.js';
import type { DeadLetter } from './dead-letter.js';
import type { MessageId } from './message-id.js';
import { RingDeque } from './ring-deque.js';

/** Options of {@link MemoryChannelStorage}. */
export interface MemoryChannelStorageOptions {
  /** How many dead letters are kept; past it the oldest is evicted. Default 1024. */
  readonly deadLetterCapacity?: number;
}

/**
 * The default storage of a channel: messages live in this process only, in an O(1) ring buffer,
 * passed by reference. Nothing survives the process: at close, what is left is handed back to the
 * channel, which returns requests to their senders and dead-letters one-way messages.
 */
export class MemoryChannelStorage<TMessage> implements ChannelStorage<TMessage> {
  readonly durable: boolean = false;
  /** The ready messages, oldest first. */
  readonly #ready = new RingDeque<StoredMessage<TMessage>>();
  /** The dead letters, oldest first, never more than `deadLetterCapacity`. */
  readonly #letters = new RingDeque<DeadLetter<TMessage>>();
  /** The most dead letters kept. */
  readonly #deadLetterCapacity: number;

  constructor(options: MemoryChannelStorageOptions = {}) {
    this.#deadLetterCapacity = options.deadLetterCapacity ?? 1024;
  }

  get length(): number {
    return this.#ready.length;
  }

  get deadLetterCount(): number {
    return this.#letters.length;
  }

  append(message: StoredMessage<TMessage>): void {
    this.#ready.push(message);
  }

  prepend(message: StoredMessage<TMessage>): void {
    this.#ready.unshift(message);
  }

  requeue(message: StoredMessage<TMessage>): void {
    this.#ready.push(message);
  }

  takeNext(): StoredMessage<TMessage> | undefined {
    return this.#ready.shift();
  }

  remove(message: StoredMessage<TMessage>): boolean {
    return this.#ready.remove(message);
  }

  settle(): void {
    // Nothing to forget: a taken message is no longer referenced here.
  }

  addDeadLetter(letter: DeadLetter<TMessage>): DeadLetter<TMessage> | undefined {
    if (this.#deadLetterCapacity === 0) return letter;
    const evicted =
      this.#letters.length >= this.#deadLetterCapacity ? this.#letters.shift() : undefined;
    this.#letters.push(letter);
    return evicted;
  }

  deadLetters(): readonly DeadLetter<TMessage>[] {
    const letters: DeadLetter<TMessage>[] = [];
    this.#letters.forEach((letter) => letters.push(letter));
    return letters;
  }

  takeDeadLetters(ids?: readonly MessageId[]): DeadLetter<TMessage>[] {
    if (ids === undefined) return this.#letters.clear();
    const wanted = new Set(ids);
    const taken: DeadLetter<TMessage>[] = [];
    const kept: DeadLetter<TMessage>[] = [];
    for (const letter of this.#letters.clear()) (wanted.has(letter.id) ? taken : kept).push(letter);
    for (const letter of kept) this.#letters.push(letter);
    return taken;
  }

  close(): void {
    // Nothing to release: the channel has already taken back what was left.
  }
}
