import type { StoredMessage } from '../core/channel/channel-storage.js';
import type { ChannelLink } from './channel-link.js';
import type { ConsumerGroup } from './consumer-group.js';
import type { RedisDeadLetters } from './redis-dead-letters.js';
import type { RequestReplies } from './request-replies.js';
import { TurnBatch } from './turn-batch.js';

/** An entry waiting to be appended, and its sender's promise. */
interface QueuedAdd<TMessage> {
  readonly message: StoredMessage<TMessage>;
  readonly fields: readonly string[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /**
   * Where the append is: `waiting` (in `#waiting`), `batched` (in this turn's batch), `sent`
   * (Redis has not answered yet), or `withdrawn` (sent, and its sender gave up since: the entry
   * is deleted once written).
   */
  stage: 'waiting' | 'batched' | 'sent' | 'withdrawn';
}

/**
 * How a Redis channel storage writes a sent message into the stream. The appends of one turn of
 * the event loop go to Redis in one script call (`ADD_EACH`), each entry with its own `XADD` and
 * its own result, so that a burst of sends costs one round trip. A request is only written once
 * its reply channel is subscribed, and nothing before the consumer group exists. A message that
 * replays a dead letter moves it back from the dead-letter stream in one step instead. Internal.
 *
 * **Ordering.** Entries are written in the order {@link store} was called, requests and one-way
 * messages alike: an append that must wait (for the consumer group, or for the subscription a
 * request needs) holds back every later one, so that first deliveries keep the send order.
 *
 * **Cancellation.** A request whose sender gives up before Redis confirmed it
 * ({@link withdraw}) is not written if it was not sent yet, and deleted as soon as Redis answers
 * otherwise, so that no replica handles it (one that read it in that round trip still does, and
 * its reply is ignored); its append rejects.
 *
 * **Failure.** {@link store} rejects when Redis refuses the entry, fails the call carrying it,
 * or another replica replayed the same dead letter first; the storage turns that into the send's
 * `RedisTransportError`. When the consumer group or the subscription cannot be made, every
 * append waiting for it rejects at once with that error. **Closing.** {@link flush} sends what
 * is queued at once, so that the storage can wait for it before closing its connections.
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
  readonly #adds: TurnBatch<QueuedAdd<TMessage>, string | Error>;
  /**
   * Appends not written yet, in call order: the first waits for the consumer group or (a request)
   * the subscription, the others wait behind it. Empty once both exist: appends then go to
   * `#adds` at once.
   */
  #waiting: QueuedAdd<TMessage>[] = [];
  /** Set while `#writeWaiting` runs, so that a single loop empties `#waiting`. */
  #writingWaiting = false;
  /** The appends of requests until Redis answers for them, so that {@link withdraw} finds them. */
  readonly #requests = new Map<StoredMessage<TMessage>, QueuedAdd<TMessage>>();

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
      send: (adds) =>
        this.#link.commands.addEach(
          adds.map((add) => {
            add.stage = 'sent';
            return add.fields;
          }),
        ),
      done: (add, result) => this.#written(add, result),
      failed: (adds, error) => {
        for (const add of adds) {
          this.#requests.delete(add.message);
          add.reject(error);
        }
      },
    });
  }

  /** Writes `message` (encoded as `fields`) into the stream; resolves once Redis stored it. */
  store(message: StoredMessage<TMessage>, fields: readonly string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const add: QueuedAdd<TMessage> = { message, fields, resolve, reject, stage: 'waiting' };
      if (message.isRequest) this.#requests.set(message, add);
      if (this.#waiting.length === 0 && this.#canWrite(message)) {
        this.#write(add);
        return;
      }
      this.#waiting.push(add);
      void this.#writeWaiting();
    });
  }

  /**
   * The sender of `message`, a request, gave up before Redis confirmed it: it is not written, or,
   * already sent, deleted once written. Its append rejects. Returns whether it was being appended.
   */
  withdraw(message: StoredMessage<TMessage>): boolean {
    const add = this.#requests.get(message);
    if (add === undefined) return false;
    if (add.stage === 'sent' || add.stage === 'withdrawn') {
      add.stage = 'withdrawn';
      return true;
    }
    if (add.stage === 'waiting') this.#waiting = this.#waiting.filter((each) => each !== add);
    else this.#adds.remove(add);
    this.#requests.delete(message);
    add.reject(new Error(`its sender gave up on request ${message.id} before it was written`));
    return true;
  }

  /** Sends every queued append now. */
  flush(): void {
    this.#adds.flush();
  }

  /** Redis answered for an append: its entry id, or the error it gave for that entry. */
  #written(add: QueuedAdd<TMessage>, result: string | Error): void {
    if (add.message.isRequest) this.#requests.delete(add.message);
    if (typeof result !== 'string') {
      add.reject(result);
      return;
    }
    if (add.stage !== 'withdrawn') {
      add.resolve();
      return;
    }
    const id = add.message.id;
    this.#link.commands.deleteEntry(result).then(
      () => add.reject(new Error(`its sender gave up on request ${id} while it was written`)),
      (error: unknown) => {
        // The entry stays: a replica may still handle it, and its reply is ignored.
        this.#link.report(`withdraw request ${id}`, error);
        add.reject(error);
      },
    );
  }

  /** Whether what `message` needs exists: the consumer group, and a request's subscription. */
  #canWrite(message: StoredMessage<TMessage>): boolean {
    return this.#group.ready && (!message.isRequest || this.#replies.subscribed);
  }

  /** Writes an append now: into this turn's batch, or, replaying a dead letter, on its own. */
  #write(add: QueuedAdd<TMessage>): void {
    const replayOf = this.#deadLetters.takeReplay(add.message.id);
    if (replayOf === undefined) {
      add.stage = 'batched';
      this.#adds.add(add);
      return;
    }
    // What was appended before goes first: Redis runs the calls of a connection in order.
    this.#adds.flush();
    this.#replay(replayOf, add).then(add.resolve, add.reject);
  }

  /** Moves a dead letter back into the stream; rejects when another replica replayed it first. */
  async #replay(replayOf: Promise<string>, add: QueuedAdd<TMessage>): Promise<void> {
    if (!(await this.#link.commands.replay(await replayOf, add.fields))) {
      // Withdrawn here (counted, visible); the other replica's replay is the one that counts.
      throw new Error(`dead letter ${add.message.id} was replayed by another replica first`);
    }
  }

  /**
   * Writes the waiting appends in order, each once what it needs exists. When the consumer group
   * or the subscription cannot be made, the appends waiting for it fail together with that error
   * (not one after another, each waiting out an outage); the others go on.
   */
  async #writeWaiting(): Promise<void> {
    if (this.#writingWaiting) return;
    this.#writingWaiting = true;
    try {
      while (this.#waiting.length > 0) {
        const head = this.#waiting[0]!;
        try {
          await this.#group.ensure();
        } catch (error) {
          this.#failWaiting(() => true, error);
          continue;
        }
        if (head.message.isRequest) {
          try {
            await this.#replies.ready();
          } catch (error) {
            this.#failWaiting((add) => add.message.isRequest, error);
            continue;
          }
        }
        while (this.#waiting.length > 0 && this.#canWrite(this.#waiting[0]!.message)) {
          this.#write(this.#waiting.shift()!);
        }
      }
    } finally {
      this.#writingWaiting = false;
    }
  }

  /** Rejects, with `error`, the waiting appends that `failing` picks; the others keep waiting. */
  #failWaiting(failing: (add: QueuedAdd<TMessage>) => boolean, error: unknown): void {
    const failed = this.#waiting.filter(failing);
    this.#waiting = this.#waiting.filter((add) => !failing(add));
    for (const add of failed) {
      this.#requests.delete(add.message);
      add.reject(error);
    }
  }
}
