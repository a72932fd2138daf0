import type { StoredMessage } from '../core/channel/channel-storage.js';
import type { ChannelLink } from './channel-link.js';
import type { ConsumerGroup } from './consumer-group.js';
import type { RedisDeadLetters } from './redis-dead-letters.js';
import type { RequestReplies } from './request-replies.js';
import { TurnBatch } from './turn-batch.js';

/** An entry waiting to be appended with the others of its turn, and its sender's promise. */
interface QueuedAdd {
  readonly fields: readonly string[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * How a Redis channel storage writes a sent message into the stream. The appends of one turn of
 * the event loop go to Redis in one script call (`ADD_EACH`), each entry with its own `XADD` and
 * its own result, so that a burst of sends costs one round trip. A request is only written once
 * its reply channel is subscribed, and nothing before the consumer group exists. A message that
 * replays a dead letter moves it back from the dead-letter stream in one step instead. Internal.
 *
 * **Failure.** {@link store} rejects when Redis refuses the entry, fails the call carrying it,
 * or another replica replayed the same dead letter first; the storage turns that into the send's
 * `RedisTransportError`. **Closing.** {@link flush} sends what is queued at once, so that the
 * storage can wait for it before closing its connections.
 */
export class EntryAppender<TMessage> {
  /** The channel's commands. */
  readonly #link: ChannelLink<TMessage>;
  /** Ensured before every write; created again after Redis lost it. */
  readonly #group: ConsumerGroup;
  /** Subscribed to before a request is written, so that a fast reply cannot be missed. */
  readonly #replies: RequestReplies<TMessage>;
  /** Says whether a message replays a dead letter. */
  readonly #deadLetters: RedisDeadLetters<TMessage>;
  /** Entries appended in this turn of the event loop, sent together at its end. */
  readonly #adds: TurnBatch<QueuedAdd, string | Error>;

  constructor(options: {
    readonly link: ChannelLink<TMessage>;
    readonly group: ConsumerGroup;
    readonly replies: RequestReplies<TMessage>;
    readonly deadLetters: RedisDeadLetters<TMessage>;
    /** The most entries one script call carries. */
    readonly maxPerCall: number;
  }) {
    this.#link = options.link;
    this.#group = options.group;
    this.#replies = options.replies;
    this.#deadLetters = options.deadLetters;
    this.#adds = new TurnBatch({
      maxPerCall: options.maxPerCall,
      // Each append is tracked on its own, by the storage.
      send: (adds) => this.#link.commands.addEach(adds.map((add) => add.fields)),
      done: (add, result) => (typeof result === 'string' ? add.resolve() : add.reject(result)),
      failed: (adds, error) => {
        for (const add of adds) add.reject(error);
      },
    });
  }

  /** Writes `message` (encoded as `fields`) into the stream; resolves once Redis stored it. */
  async store(message: StoredMessage<TMessage>, fields: readonly string[]): Promise<void> {
    const { commands } = this.#link;
    if (message.isRequest) await this.#replies.ready();
    await this.#group.ensure();
    const replayOf = this.#deadLetters.takeReplay(message.id);
    if (replayOf === undefined) {
      return new Promise<void>((resolve, reject) => this.#adds.add({ fields, resolve, reject }));
    }
    if (!(await commands.replay(await replayOf, fields))) {
      // Withdrawn here (counted, visible); the other replica's replay is the one that counts.
      throw new Error(`dead letter ${message.id} was replayed by another replica first`);
    }
  }

  /** Sends every queued append now. */
  flush(): void {
    this.#adds.flush();
  }
}
