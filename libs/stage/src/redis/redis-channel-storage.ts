import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DeadLetterMirror } from './dead-letter-mirror.js';
import type { MirroredLetter } from './dead-letter-mirror.js';
import { RedisTransportError } from './errors/redis-transport-error.js';
import { PendingOperations } from './pending-operations.js';
import { resolveRedisOptions } from './redis-channel-storage-options.js';
import type {
  RedisChannelStorageOptions,
  ResolvedRedisOptions,
} from './redis-channel-storage-options.js';
import { RedisConnections } from './redis-connections.js';
import { redisKeys } from './redis-keys.js';
import type { RedisKeys } from './redis-keys.js';
import { ReplySubscription } from './reply-subscription.js';
import {
  deadLetterFields,
  decodeDeadLetter,
  decodeEntry,
  decodeReply,
  encodeReply,
  entryFields,
} from './stream-entry.js';
import type { DecodedEntry } from './stream-entry.js';
import { StreamCommands } from './stream-commands.js';
import { TurnBatch } from './turn-batch.js';
import type { RawEntry } from './stream-replies.js';
import type {
  ChannelStorageHost,
  RemoteReply,
  RemoteRequester,
  SharedChannelStorage,
  StorageCloseReport,
  StoredMessage,
} from '../core/channel/channel-storage.js';
import type { DeadLetter } from '../core/channel/dead-letter.js';
import type { MessageId } from '../core/channel/message-id.js';
import { RingDeque } from '../core/channel/ring-deque.js';
import { InvalidOptionError } from '../core/errors/invalid-option-error.js';

/**
 * Where the storage is in its life:
 * - `detached`: not given to a channel yet.
 * - `running`: serving its channel; connections are made on first use.
 * - `closing`: `close()` was called: nothing new is read; what is being written is waited for.
 * - `closed`: every connection made here is closed and every timer cleared.
 */
type StorageState = 'detached' | 'running' | 'closing' | 'closed';

/** What the storage knows of an entry this process read (or claimed) and has not settled. */
interface HeldEntry {
  /** The stream entry's id, to acknowledge it. */
  readonly entryId: string;
}

/** An entry waiting to be appended with the others of its turn, and its sender's promise. */
interface QueuedAdd {
  readonly fields: readonly string[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** An acknowledgement waiting to be sent with the others of its turn. */
interface QueuedAck<TMessage> {
  readonly entryId: string;
  /** The settled message; `undefined` for an entry deleted before it was read (nothing to tell). */
  readonly message: StoredMessage<TMessage> | undefined;
}

/** Most entries appended, or acknowledged, by one script call. */
const MAX_PER_CALL = 500;

/**
 * A channel storage on Redis Streams, shared by every replica that builds a channel of the same
 * name on the same Redis: sends from any replica are handled by whichever replica has a free
 * consumer, with the same ledger, redelivery and dead-lettering as in memory.
 *
 * ```ts
 * const adder = new Channel<{ a: number; b: number }, number>({
 *   name: 'adder',
 *   storage: new RedisChannelStorage({ connection: process.env.REDIS_URL }),
 * });
 * ```
 *
 * **How.** Messages are entries of the stream `<keyPrefix>{<channel>}`, read through the consumer
 * group `group` (created at id 0 on first use, so that nothing sent before any consumer existed
 * is skipped). A replica reads only when a consumer of its own waits (plus `prefetch`), so that
 * entries stay in the stream for replicas with free consumers. Each read entry stays in this
 * replica's pending entries until its delivery is settled: `XACK` is sent **after** the handler
 * finished. A restarted replica with the same `consumer` name first takes back its own pending
 * entries (`XREADGROUP` from id 0), then new ones (`>`).
 *
 * **Batching.** The sends of one turn of the event loop go to Redis in one script call, and so do
 * the acknowledgements: each entry still gets its own `XADD` or `XACK` inside it, and its own
 * result (a send Redis refuses rejects alone; a late acknowledgement is told apart), but a burst
 * of messages costs one round trip and one command instead of one each.
 *
 * **Reclaiming.** Every `reclaimIntervalMs` a replica renews the entries it holds and, when a
 * consumer of its own waits, claims entries idle for `claimIdleMs` from dead replicas
 * (`XAUTOCLAIM`). The delivery count comes from Redis (`XPENDING`), so a message whose holder was
 * killed is delivered again with a delivery count one higher, and is dead-lettered after
 * `maxDeliveries`. A late acknowledgement from a replica whose entry was claimed and settled by
 * another changes nothing on the server (`XACK` returns 0): it is counted as a duplicate, never
 * as a second handling.
 *
 * **Requests** carry this storage's reply channel (pub/sub) and their deadline; the replica that
 * handles one publishes the reply, or the dead-letter error, there. A replica does not handle a
 * request whose deadline has passed (it is withdrawn).
 *
 * **Trimming.** The stream is trimmed with `XTRIM MINID` below the oldest entry any consumer group
 * still needs (pending, or not delivered yet), never with `MAXLEN`, which would delete pending
 * entries. Dead letters go to `<keyPrefix>{<channel>}:dead`, capped at `deadLetterCapacity`.
 *
 * **Not promised across replicas** (see the Redis docs page): exact capacity (the backlog is read
 * every `capacityCheckMs` and counted locally in between), first-delivery order between replicas,
 * `drop-oldest` (refused), `trySend` (always false: acceptance needs the server).
 *
 * **Cancellation and shutdown.** `close()` (called by the channel's close) stops reading at once
 * (the blocking connection is dropped), hands back the entries still held so that another replica
 * can take them at once, waits up to `closeTimeoutMs` for Redis to confirm what is being written,
 * then closes every connection it made, and reports the acknowledgements it could not confirm. A
 * client passed in is never quit. It finishes within `closeTimeoutMs` even when Redis is
 * unreachable, and leaves no timer behind.
 *
 * **Failure.** Bad options throw `InvalidOptionError` at construction. A send that Redis does not
 * confirm rejects with `RedisTransportError` and is not accepted. Background failures are
 * reported as `storage-failed` events; reading retries.
 */
export class RedisChannelStorage<TMessage> implements SharedChannelStorage<TMessage> {
  readonly durable = true;
  readonly shared = true;
  #state: StorageState = 'detached';
  readonly #options: ResolvedRedisOptions;
  /** Every connection, made on first use. */
  readonly #connections: RedisConnections;
  /** The channel; set by `attach`. */
  #host: ChannelStorageHost<TMessage> | undefined = undefined;
  /** The channel's keys; set by `attach`. */
  #keys: RedisKeys | undefined = undefined;
  /** The channel's Redis commands; set by `attach`. */
  #commands: StreamCommands | undefined = undefined;
  /** Random per storage, so that replies reach this very process. */
  readonly #requesterId = randomBytes(6).toString('base64url');
  /** Read entries ready to take, oldest first. */
  readonly #window = new RingDeque<StoredMessage<TMessage>>();
  /** Every entry read into this process and not settled yet: in the window, in flight, delayed. */
  readonly #held = new Map<StoredMessage<TMessage>, HeldEntry>();
  /** Commands sent and not answered yet. */
  readonly #operations = new PendingOperations();
  /** Entries appended in this turn of the event loop, sent together at its end (`ADD_EACH`). */
  readonly #adds: TurnBatch<QueuedAdd, string | Error>;
  /** Acknowledgements queued in this turn, sent together at its end (`ACK_EACH`). */
  readonly #acks: TurnBatch<QueuedAck<TMessage>, number>;
  /** Acknowledgements that failed (the entries stay pending and are delivered again). */
  #failedAcks = 0;
  /** Resolves once the consumer group exists; reset when Redis says it does not. */
  #group: Promise<void> | undefined = undefined;
  /** Set while the read loop runs, so that there is never more than one. */
  #readLoopRunning = false;
  /** Wakes the read loop when it waits for demand (or for its retry delay). */
  #wake: (() => void) | undefined = undefined;
  /** The read loop's retry delay after a failure, while armed. */
  #retryTimer: NodeJS.Timeout | undefined = undefined;
  /** Set until this consumer's own pending entries (from an earlier run) have been read. */
  #readingHistory = true;
  /** Where the next read of this consumer's own pending entries starts. */
  #historyFrom = '0';
  /** Where the next `XAUTOCLAIM` scan starts. */
  #claimCursor = '0-0';
  /** The consumer group's lag (entries not delivered yet), as last read from Redis. */
  #lag = 0;
  /** Sends handed to Redis and not confirmed yet. */
  #sending = 0;
  /** The next backlog check, while armed. */
  #lagTimer: NodeJS.Timeout | undefined = undefined;
  /** The maintenance tick (renew, reclaim, trim, refresh dead letters), once active. */
  #tickTimer: NodeJS.Timeout | undefined = undefined;
  /** Set while a tick runs, so that ticks never overlap. */
  #ticking = false;
  /** Acknowledgements since the last trim. */
  #acksSinceTrim = 0;
  /** This process's view of the dead-letter stream. */
  readonly #deadLetters: DeadLetterMirror<TMessage>;
  /** The dead-letter entry ids of letters taken for a replay, by message id. */
  readonly #replaying = new Map<MessageId, Promise<string>>();
  /** The subscription that hears replies, made on the first request. */
  #replies: ReplySubscription | undefined = undefined;
  /** The first `close()`'s promise, shared by later calls. */
  #closing: Promise<StorageCloseReport> | undefined = undefined;

  /** @throws InvalidOptionError naming the first bad option. */
  constructor(options: RedisChannelStorageOptions) {
    this.#options = resolveRedisOptions(options);
    this.#deadLetters = new DeadLetterMirror(this.#options.deadLetterCapacity);
    this.#adds = new TurnBatch({
      maxPerCall: MAX_PER_CALL,
      // Each append is tracked on its own (see `append`).
      send: (adds) => this.#attached().commands.addEach(adds.map((add) => add.fields)),
      done: (add, result) => (typeof result === 'string' ? add.resolve() : add.reject(result)),
      failed: (adds, error) => {
        for (const add of adds) add.reject(error);
      },
    });
    this.#acks = new TurnBatch({
      maxPerCall: MAX_PER_CALL,
      send: (acks) => this.#attached().commands.ackEach(acks.map((ack) => ack.entryId)),
      track: (call, acks) => void this.#operations.track(call, acks.length),
      done: (ack, acked) => {
        if (acked === 0 && ack.message !== undefined) this.#host?.settledElsewhere(ack.message);
      },
      failed: (acks, error) => {
        for (const { message } of acks) {
          if (message === undefined) continue;
          this.#failedAcks++;
          this.#report(`acknowledge message ${message.id}`, error);
        }
      },
    });
    this.#connections = new RedisConnections(this.#options, () => {
      // Connection errors surface through the commands that fail; reading reports them.
    });
  }

  /** This replica's consumer name in the group. */
  get consumer(): string {
    return this.#options.consumer;
  }

  /** The stream's key (set once the storage is given to a channel). */
  get streamKey(): string | undefined {
    return this.#keys?.stream;
  }

  get length(): number {
    return this.#window.length;
  }

  get backlog(): number {
    return this.#lag + this.#sending;
  }

  get deadLetterCount(): number {
    // A replica that only observes (stats, a registry) still follows the shared dead letters.
    this.#activate();
    return this.#deadLetters.length;
  }

  attach(host: ChannelStorageHost<TMessage>): void {
    if (this.#host !== undefined) {
      throw new InvalidOptionError(
        `channel "${host.name}"`,
        'storage',
        `a RedisChannelStorage already used by channel "${this.#host.name}"`,
        'a RedisChannelStorage of its own for each channel',
      );
    }
    this.#host = host;
    this.#keys = redisKeys(this.#options.keyPrefix, host.name, this.#requesterId);
    this.#commands = new StreamCommands(this.#connections, this.#keys, this.#options);
    this.#state = 'running';
  }

  // ---- Sending -------------------------------------------------------------------------------

  async append(message: StoredMessage<TMessage>): Promise<void> {
    const { host, keys } = this.#attached();
    const operation = `store message ${message.id}`;
    if (this.#state !== 'running') throw new RedisTransportError(host.name, operation);
    const fields = entryFields(message, this.#options.serializer, keys.replies);
    this.#activate();
    this.#sending++;
    try {
      await this.#operations.track(this.#store(message, fields));
      this.#lag++;
    } catch (error) {
      throw new RedisTransportError(host.name, operation, error);
    } finally {
      this.#sending--;
      this.#checkLagSoon();
    }
  }

  async #store(message: StoredMessage<TMessage>, fields: readonly string[]): Promise<void> {
    const { commands } = this.#attached();
    if (message.isRequest) await this.#replySubscription().ready();
    await this.#ensureGroup();
    const replayOf = this.#replaying.get(message.id);
    if (replayOf === undefined) {
      return new Promise<void>((resolve, reject) => this.#adds.add({ fields, resolve, reject }));
    }
    this.#replaying.delete(message.id);
    if (!(await commands.replay(await replayOf, fields))) {
      // Withdrawn here (counted, visible); the other replica's replay is the one that counts.
      throw new Error(`dead letter ${message.id} was replayed by another replica first`);
    }
  }

  /** Creates the consumer group once (again after Redis said it does not exist). */
  #ensureGroup(): Promise<void> {
    if (this.#group !== undefined) return this.#group;
    const created = this.#attached().commands.createGroup();
    created.catch(() => {
      if (this.#group === created) this.#group = undefined;
    });
    this.#group = created;
    return created;
  }

  /** Reads the group's lag soon, so that capacity follows what the replicas have taken. */
  #checkLagSoon(): void {
    if (this.#lagTimer !== undefined || this.#state !== 'running') return;
    this.#lagTimer = setTimeout(() => void this.#checkLag(), this.#options.capacityCheckMs);
    this.#lagTimer.unref();
  }

  async #checkLag(): Promise<void> {
    const { host, commands } = this.#attached();
    try {
      this.#lag = await this.#operations.track(commands.lag());
    } catch {
      // No stream yet, or Redis unreachable: the next send checks again.
    }
    this.#lagTimer = undefined;
    if (this.#state !== 'running') return;
    if (this.backlog < host.capacity) host.roomFreed();
    else this.#checkLagSoon();
  }

  // ---- Reading -------------------------------------------------------------------------------

  demand(): void {
    if (this.#state !== 'running') return;
    this.#activate();
    this.#wakeReader();
    if (this.#readLoopRunning) return;
    this.#readLoopRunning = true;
    this.#readLoop()
      .catch((error: unknown) => this.#report('read entries', error))
      .finally(() => (this.#readLoopRunning = false));
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    wake?.();
  }

  /** How many entries to read now: for the consumers waiting, beyond what the window holds. */
  #wanted(): number {
    const host = this.#attached().host;
    const free = host.waitingConsumers + this.#options.prefetch - this.#window.length;
    return Math.min(this.#options.batchSize, free);
  }

  async #readLoop(): Promise<void> {
    let failing = false;
    while (this.#state === 'running' && this.#attached().host.receiving) {
      const wanted = this.#wanted();
      if (wanted <= 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      try {
        await this.#ensureGroup();
        await this.#readOnce(wanted);
        failing = false;
      } catch (error) {
        if (this.#state !== 'running') return;
        if (error instanceof Error && error.message.startsWith('NOGROUP')) this.#group = undefined;
        else if (!failing) {
          failing = true;
          this.#report('read entries', error);
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#retryTimer = setTimeout(resolve, Math.min(1_000, this.#options.blockMs));
        });
        this.#retryTimer = undefined;
      }
    }
  }

  /** One read: this consumer's own pending entries first (after a restart), then new ones. */
  async #readOnce(wanted: number): Promise<void> {
    const { commands } = this.#attached();
    if (!this.#readingHistory) {
      const entries = await commands.readNew(wanted);
      this.#tookFromBacklog(entries.length);
      await this.#admit(entries, undefined);
      return;
    }
    const entries = await commands.readOwn(wanted, this.#historyFrom);
    const last = entries[entries.length - 1];
    if (last === undefined) {
      this.#readingHistory = false;
      return;
    }
    this.#historyFrom = last.entryId;
    await this.#admit(entries, await commands.deliveryCounts(entries, this.#held.size));
  }

  /**
   * This replica just read `count` new entries, which leave the group's lag: the estimate drops
   * at once (instead of at the next backlog check) and waiting senders get the room.
   */
  #tookFromBacklog(count: number): void {
    if (count === 0) return;
    this.#lag = Math.max(0, this.#lag - count);
    const host = this.#attached().host;
    if (this.#state === 'running' && this.backlog < host.capacity) host.roomFreed();
  }

  /**
   * Hands read entries to the channel. Entries deleted meanwhile are acknowledged away; one that
   * cannot be decoded is dead-lettered at once; when the channel no longer takes messages in,
   * entries are handed back for another replica.
   */
  async #admit(
    entries: readonly RawEntry[],
    counts: ReadonlyMap<string, number> | undefined,
  ): Promise<void> {
    if (entries.length === 0) return;
    const { host } = this.#attached();
    if (this.#state !== 'running' || !host.receiving) {
      await this.#handBack(
        entries.map((entry) => [entry.entryId, (counts?.get(entry.entryId) ?? 1) - 1]),
      );
      return;
    }
    for (const entry of entries) {
      if (entry.fields === undefined) {
        this.#acks.add({ entryId: entry.entryId, message: undefined });
        continue;
      }
      const deliveries = counts?.get(entry.entryId) ?? 1;
      let decoded: DecodedEntry;
      try {
        decoded = decodeEntry(entry.entryId, entry.fields, this.#options.serializer);
      } catch (error) {
        this.#deadLetterUnreadable(entry, deliveries, error);
        continue;
      }
      const message = host.receive({
        id: decoded.id,
        body: decoded.body as TMessage,
        failures: Math.max(0, deliveries - 1),
        requester: decoded.replyTo === undefined ? undefined : this.#requester(decoded),
      });
      this.#held.set(message, { entryId: entry.entryId });
      this.#window.push(message);
    }
    host.ready();
  }

  /** Where a received request's outcome goes: its requester's reply channel. */
  #requester(decoded: DecodedEntry): RemoteRequester {
    const send = (reply: RemoteReply): void => {
      if (this.#state === 'closed' || decoded.replyTo === undefined) return;
      let text: string;
      try {
        text = encodeReply(decoded.id, reply, this.#options.serializer);
      } catch (error) {
        text = encodeReply(decoded.id, { ok: false, error }, this.#options.serializer);
      }
      this.#operations
        .track(this.#attached().commands.publish(decoded.replyTo, text))
        .catch((error: unknown) => this.#report(`reply to request ${decoded.id}`, error));
    };
    return {
      expiresAt: decoded.expiresAt,
      reply: (value) => send({ ok: true, value }),
      refuse: (error) => send({ ok: false, error }),
    };
  }

  #replySubscription(): ReplySubscription {
    const { host, keys } = this.#attached();
    return (this.#replies ??= new ReplySubscription(
      () => this.#connections.subscriber,
      keys.replies,
      (text) => {
        try {
          const decoded = decodeReply(text, this.#options.serializer, host.name);
          if (decoded !== undefined) host.replied(decoded.id, decoded.reply);
        } catch (error) {
          this.#report('read a reply', error);
        }
      },
    ));
  }

  // ---- The window ----------------------------------------------------------------------------

  takeNext(): StoredMessage<TMessage> | undefined {
    return this.#window.shift();
  }

  prepend(message: StoredMessage<TMessage>): void {
    this.#window.unshift(message);
  }

  requeue(message: StoredMessage<TMessage>): void {
    this.#window.push(message);
    // Redis counts this next delivery too, so that a replica claiming the entry if this process
    // dies during it counts it as failed.
    const held = this.#held.get(message);
    if (held !== undefined && this.#state === 'running') {
      void this.#renew([[held.entryId, message.failures + 1]], '').catch((error: unknown) =>
        this.#report(`count the delivery of message ${message.id}`, error),
      );
    }
  }

  remove(message: StoredMessage<TMessage>): boolean {
    return this.#window.remove(message);
  }

  // ---- Settling ------------------------------------------------------------------------------

  settle(message: StoredMessage<TMessage>): void {
    const held = this.#held.get(message);
    if (held === undefined) return;
    this.#held.delete(message);
    if (this.#state === 'closed') {
      this.#failedAcks++;
      this.#report(`acknowledge message ${message.id} (closed: it will be delivered again)`);
      return;
    }
    this.#acksSinceTrim++;
    this.#acks.add({ entryId: held.entryId, message });
  }

  addDeadLetter(
    letter: DeadLetter<TMessage>,
    message?: StoredMessage<TMessage>,
  ): DeadLetter<TMessage> | undefined {
    const held = message === undefined ? undefined : this.#held.get(message);
    if (message !== undefined) this.#held.delete(message);
    const entryId = this.#recordDeadLetter(letter, held?.entryId ?? '').then(
      ([acked, deadEntry]) => {
        if (acked === 0 && held !== undefined && message !== undefined) {
          this.#attached().host.settledElsewhere(message);
        }
        return deadEntry;
      },
      (error: unknown) => {
        if (held !== undefined) this.#failedAcks++;
        this.#report(`dead-letter message ${letter.id}`, error);
        return '';
      },
    );
    return this.#deadLetters.add(letter, entryId);
  }

  async #recordDeadLetter(
    letter: DeadLetter<unknown>,
    entryId: string,
    serializer = this.#options.serializer,
  ): Promise<[number, string]> {
    const { host, commands } = this.#attached();
    if (this.#state === 'closed') throw new RedisTransportError(host.name, 'write');
    const fields = deadLetterFields(letter, serializer);
    const acks = entryId === '' ? 0 : 1;
    return this.#operations.track(commands.ackAndDeadLetter(entryId, fields), acks);
  }

  /** An entry whose body cannot be decoded: dead-lettered at once, its raw text kept. */
  #deadLetterUnreadable(entry: RawEntry, deliveries: number, error: unknown): void {
    const letter: DeadLetter<TMessage> = {
      id: entry.fields?.get('id') ?? entry.entryId,
      body: entry.fields?.get('body') as TMessage,
      deliveryCount: deliveries,
      error: error instanceof Error ? error : new Error(String(error)),
      at: Date.now(),
    };
    const asText = { ...this.#options.serializer, encode: (value: unknown) => String(value) };
    const recorded = this.#recordDeadLetter(letter, entry.entryId, asText).then(
      ([, deadEntry]) => deadEntry,
      (failure: unknown) => {
        this.#report(`dead-letter unreadable entry ${entry.entryId}`, failure);
        return '';
      },
    );
    this.#deadLetters.add(letter, recorded);
    this.#report(`read entry ${entry.entryId} (dead-lettered: it cannot be decoded)`, error);
  }

  deadLetters(): readonly DeadLetter<TMessage>[] {
    this.#activate();
    return this.#deadLetters.snapshot();
  }

  takeDeadLetters(ids?: readonly MessageId[]): DeadLetter<TMessage>[] {
    return this.#deadLetters.take(ids).map((held) => {
      this.#replaying.set(held.letter.id, held.entryId);
      return held.letter;
    });
  }

  // ---- Maintenance ---------------------------------------------------------------------------

  /** Starts the maintenance tick, on first use. */
  #activate(): void {
    if (this.#tickTimer !== undefined || this.#state !== 'running') return;
    this.#tickTimer = setInterval(() => void this.#tick(), this.#options.reclaimIntervalMs);
    this.#tickTimer.unref();
    void this.#refreshDeadLetters();
  }

  async #tick(): Promise<void> {
    if (this.#ticking || this.#state !== 'running') return;
    this.#ticking = true;
    const { host, commands } = this.#attached();
    try {
      const held = [...this.#held.values()].map((entry): [string, ''] => [entry.entryId, '']);
      if (held.length > 0) await this.#renew(held, '');
      if (this.#wanted() > 0 && host.receiving) await this.#reclaim();
      if (this.#acksSinceTrim > 0) {
        this.#acksSinceTrim = 0;
        await this.#operations.track(commands.trim());
      }
      await this.#refreshDeadLetters();
    } catch (error) {
      if (this.#state === 'running') this.#report('maintain the stream', error);
    } finally {
      this.#ticking = false;
    }
  }

  /**
   * Renews entries this consumer still owns (resetting their idle time), setting their delivery
   * count when one is given; `idleMs` instead makes them look idle that long (at close, so that
   * other replicas claim them at once). Returns the ids no longer owned.
   */
  #renew(entries: readonly [string, number | ''][], idleMs: number | ''): Promise<string[]> {
    return this.#operations.track(this.#attached().commands.renew(entries, idleMs));
  }

  /** Claims entries idle past `claimIdleMs` from dead replicas, for this process's consumers. */
  async #reclaim(): Promise<void> {
    const { commands } = this.#attached();
    const claimed = await this.#operations.track(
      commands.claimIdle(this.#claimCursor, this.#wanted()),
    );
    this.#claimCursor = claimed.next;
    if (claimed.entries.length === 0) return;
    const counts = await commands.deliveryCounts(claimed.entries, this.#held.size);
    await this.#admit(claimed.entries, counts);
  }

  async #refreshDeadLetters(): Promise<void> {
    const { host, commands } = this.#attached();
    try {
      const entries = await this.#operations.track(commands.deadLetters());
      const letters: MirroredLetter<TMessage>[] = entries
        .filter((entry) => !this.#replaying.has(entry.fields?.get('id') ?? ''))
        .map((entry) => ({
          letter: decodeDeadLetter(
            entry.fields ?? new Map(),
            this.#options.serializer,
            host.name,
          ) as DeadLetter<TMessage>,
          entryId: Promise.resolve(entry.entryId),
        }));
      this.#deadLetters.replace(letters);
    } catch (error) {
      if (this.#state === 'running') this.#report('read the dead letters', error);
    }
  }

  // ---- Closing -------------------------------------------------------------------------------

  close(): Promise<StorageCloseReport> {
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<StorageCloseReport> {
    const wasRunning = this.#state === 'running';
    this.#state = 'closing';
    clearInterval(this.#tickTimer);
    clearTimeout(this.#lagTimer);
    this.#tickTimer = undefined;
    this.#lagTimer = undefined;
    this.#wakeReader();
    this.#connections.stopReading();
    if (wasRunning && this.#connections.used && this.#held.size > 0) {
      const left = [...this.#held].map(([message, entry]): [string, number] => [
        entry.entryId,
        message.failures,
      ]);
      void this.#handBack(left).catch(() => undefined);
    }
    this.#adds.flush();
    this.#acks.flush();
    await this.#operations.settle(this.#options.closeTimeoutMs);
    const unacknowledged = this.#failedAcks + this.#operations.pendingAcks + this.#acks.queued;
    await this.#connections.close(Math.min(500, this.#options.closeTimeoutMs));
    this.#state = 'closed';
    return { unacknowledged };
  }

  /**
   * Hands entries back for another replica: their delivery count set to the failures counted so
   * far (an interrupted delivery does not count) and their idle time to `claimIdleMs`, so that the
   * next replica's reclaimer takes them at once.
   */
  async #handBack(entries: readonly [string, number][]): Promise<void> {
    await this.#renew(entries, this.#options.claimIdleMs);
  }

  // ---- Helpers -------------------------------------------------------------------------------

  #attached(): {
    readonly host: ChannelStorageHost<TMessage>;
    readonly keys: RedisKeys;
    readonly commands: StreamCommands;
  } {
    const host = this.#host;
    const keys = this.#keys;
    const commands = this.#commands;
    if (host === undefined || keys === undefined || commands === undefined) {
      throw new InvalidOptionError(
        'a Redis channel storage',
        'storage',
        'a storage not given to a channel',
        'a storage passed as a channel\'s "storage" option before use',
      );
    }
    return { host, keys, commands };
  }

  #report(operation: string, cause?: unknown): void {
    const host = this.#host;
    if (host !== undefined)
      host.transportFailed(new RedisTransportError(host.name, operation, cause));
  }

  /** The client used for ordinary commands (the one given, or the one made here). */
  get client(): Redis {
    return this.#connections.command;
  }
}
