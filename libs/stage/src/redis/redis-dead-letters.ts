import type { StoredMessage } from '../core/channel/channel-storage.js';
import type { DeadLetter } from '../core/channel/dead-letter.js';
import type { MessageId } from '../core/channel/message-id.js';
import type { Acknowledger } from './acknowledger.js';
import type { ChannelLink } from './channel-link.js';
import { DeadLetterMirror, type MirroredLetter } from './dead-letter-mirror.js';
import { RedisTransportError } from './errors/redis-transport-error.js';
import type { MessageSerializer } from './message-serializer.js';
import type { PendingOperations } from './pending-operations.js';
import { deadLetterFields, decodeDeadLetter } from './stream-entry.js';
import type { RawEntry } from './stream-replies.js';

/**
 * The dead letters of a Redis channel: recorded in the dead-letter stream (capped at
 * `deadLetterCapacity`, shared by every replica), mirrored in this process so that
 * `deadLetters()` stays synchronous, and handed out for a replay that only one replica wins.
 * Internal.
 *
 * **Ordering.** A letter is in the mirror at once; its entry id in the dead-letter stream follows
 * once Redis confirmed it. Each maintenance tick replaces the mirror with the stream's content,
 * leaving out the letters taken for a replay and keeping those added while it read.
 *
 * **Failure.** A letter Redis does not confirm (or one written once the storage has closed) is
 * reported, and the acknowledgement it carried is counted as failed: that entry stays pending and
 * is delivered again, so the letter leaves the mirror. So does a letter Redis did not write
 * because another replica had settled its entry first (a late settle, counted as a duplicate).
 * A refresh that fails is reported while the storage runs and keeps the mirror.
 */
export class RedisDeadLetters<TMessage> {
  /** The channel, its commands and the storage's state. */
  readonly #link: ChannelLink<TMessage>;
  /** Where writes are tracked, so that closing waits for them. */
  readonly #operations: PendingOperations;
  /** Encodes letters and decodes those read back; an unreadable entry's raw text is kept. */
  readonly #serializer: MessageSerializer;
  /** Counts the acknowledgements that failed with their letter. */
  readonly #acks: Acknowledger<TMessage>;
  /** This process's view of the dead-letter stream; never more than its capacity. */
  readonly #mirror: DeadLetterMirror<TMessage>;
  /**
   * The dead-letter entry ids of letters taken for a replay, by message id; a letter leaves once
   * the send that replays it is stored. Refreshes leave these letters out of the mirror.
   */
  readonly #replaying = new Map<MessageId, Promise<string>>();

  constructor(options: {
    readonly link: ChannelLink<TMessage>;
    readonly operations: PendingOperations;
    readonly serializer: MessageSerializer;
    readonly acks: Acknowledger<TMessage>;
    readonly capacity: number;
  }) {
    this.#link = options.link;
    this.#operations = options.operations;
    this.#serializer = options.serializer;
    this.#acks = options.acks;
    this.#mirror = new DeadLetterMirror(options.capacity);
  }

  /** How many dead letters the mirror holds. */
  get count(): number {
    return this.#mirror.length;
  }

  /** The dead letters held, oldest first (a snapshot). */
  snapshot(): DeadLetter<TMessage>[] {
    return this.#mirror.snapshot();
  }

  /**
   * Records `letter` in the dead-letter stream and adds it to the mirror at once; returns the
   * letter evicted from the mirror to make room, if any. `entryId`, when this process held the
   * entry of `message` (the message that ends by this dead-lettering), is acknowledged in the same
   * step; if another replica had settled it already, the channel hears of a duplicate.
   */
  add(
    letter: DeadLetter<TMessage>,
    message: StoredMessage<TMessage> | undefined,
    entryId: string | undefined,
  ): DeadLetter<TMessage> | undefined {
    const deadEntry = this.#record(letter, entryId ?? '').then(
      ([acked, recorded]) => {
        if (acked === 0 && entryId !== undefined && message !== undefined) {
          // Another replica settled the entry first: no letter was written, none may be replayed.
          this.#mirror.forget(letter);
          this.#link.host.settledElsewhere(message, 'dead-lettered');
        }
        return recorded;
      },
      (error: unknown) => {
        // Not written: the entry stays pending and is delivered again, so no letter to replay.
        this.#mirror.forget(letter);
        if (entryId !== undefined) this.#acks.countFailed();
        this.#link.report(`dead-letter message ${letter.id}`, error);
        return '';
      },
    );
    return this.#mirror.add(letter, deadEntry);
  }

  /**
   * Acknowledges `entryId` ('' for none) and records `letter` in the dead-letter stream in one
   * step, the letter only if the acknowledgement counted. Resolves with whether it was
   * acknowledged (1 or 0) and the letter's entry id; rejects once the storage has closed, or
   * when Redis does not confirm the write.
   */
  async #record(
    letter: DeadLetter<unknown>,
    entryId: string,
    serializer = this.#serializer,
  ): Promise<[number, string]> {
    const { host, commands } = this.#link;
    if (this.#link.state === 'closed') throw new RedisTransportError(host.name, 'write');
    const fields = deadLetterFields(letter, serializer);
    const acks = entryId === '' ? 0 : 1;
    return this.#operations.track(commands.ackAndDeadLetter(entryId, fields), acks);
  }

  /**
   * An entry whose body cannot be decoded: dead-lettered at once (acknowledged in the same step),
   * its raw text kept, and reported.
   */
  addUnreadable(entry: RawEntry, deliveries: number, error: unknown): void {
    const letter: DeadLetter<TMessage> = {
      id: entry.fields?.get('id') ?? entry.entryId,
      body: entry.fields?.get('body') as TMessage,
      deliveryCount: deliveries,
      error: error instanceof Error ? error : new Error(String(error)),
      at: Date.now(),
    };
    const asText = { ...this.#serializer, encode: (value: unknown) => String(value) };
    const recorded = this.#record(letter, entry.entryId, asText).then(
      ([, deadEntry]) => deadEntry,
      (failure: unknown) => {
        this.#link.report(`dead-letter unreadable entry ${entry.entryId}`, failure);
        return '';
      },
    );
    this.#mirror.add(letter, recorded);
    this.#link.report(`read entry ${entry.entryId} (dead-lettered: it cannot be decoded)`, error);
  }

  /**
   * Removes and returns the dead letters with the given ids (all when `ids` is omitted), keeping
   * their entry ids for the replay.
   */
  take(ids?: readonly MessageId[]): DeadLetter<TMessage>[] {
    return this.#mirror.take(ids).map((held) => {
      this.#replaying.set(held.letter.id, held.entryId);
      return held.letter;
    });
  }

  /**
   * The dead-letter entry id of the letter taken for replay as message `id`, if any; it is
   * forgotten here, since only one send replays it.
   */
  takeReplay(id: MessageId): Promise<string> | undefined {
    const replayOf = this.#replaying.get(id);
    if (replayOf !== undefined) this.#replaying.delete(id);
    return replayOf;
  }

  /** Replaces the mirror with the dead-letter stream's content. Never rejects. */
  async refresh(): Promise<void> {
    const { host, commands } = this.#link;
    const mark = this.#mirror.mark();
    try {
      const entries = await this.#operations.track(commands.deadLetters());
      const letters: MirroredLetter<TMessage>[] = entries
        .filter((entry) => !this.#replaying.has(entry.fields?.get('id') ?? ''))
        .map((entry) => ({
          letter: decodeDeadLetter(
            entry.fields ?? new Map(),
            this.#serializer,
            host.name,
          ) as DeadLetter<TMessage>,
          entryId: Promise.resolve(entry.entryId),
        }));
      this.#mirror.replace(letters, mark);
    } catch (error) {
      if (this.#link.state === 'running') this.#link.report('read the dead letters', error);
    }
  }
}
