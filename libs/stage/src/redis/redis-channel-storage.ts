import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type {
  ChannelStorageHost,
  SharedChannelStorage,
  StorageCloseReport,
  StoredMessage,
} from '../core/channel/channel-storage.js';
import type { DeadLetter } from '../core/channel/dead-letter.js';
import type { MessageId } from '../core/channel/message-id.js';
import { RingDeque } from '../core/channel/ring-deque.js';
import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { Acknowledger } from './acknowledger.js';
import { BacklogEstimate } from './backlog-estimate.js';
import { ChannelLink } from './channel-link.js';
import { ConsumerGroup } from './consumer-group.js';
import { EntryAppender } from './entry-appender.js';
import { RedisTransportError } from './errors/redis-transport-error.js';
import { PendingOperations } from './pending-operations.js';
import { resolveRedisOptions } from './redis-channel-storage-options.js';
import type {
  RedisChannelStorageOptions,
  ResolvedRedisOptions,
} from './redis-channel-storage-options.js';
import { RedisConnections } from './redis-connections.js';
import { RedisDeadLetters } from './redis-dead-letters.js';
import { redisKeys } from './redis-keys.js';
import { RequestReplies } from './request-replies.js';
import { decodeEntry, entryFields } from './stream-entry.js';
import type { DecodedEntry } from './stream-entry.js';
import { StreamCommands } from './stream-commands.js';
import { StreamMaintenance } from './stream-maintenance.js';
import type { MaintainedEntries } from './stream-maintenance.js';
import { StreamReader } from './stream-reader.js';
import type { RawEntry } from './stream-replies.js';

/** What the storage knows of an entry this process read (or claimed) and has not settled. */
interface HeldEntry {
  /** The stream entry's id, to acknowledge it. */
  readonly entryId: string;
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
  readonly #options: ResolvedRedisOptions;
  /** Every connection, made on first use. */
  readonly #connections: RedisConnections;
  /** The channel, its keys and commands (set by `attach`), and where the storage is in its life. */
  readonly #link = new ChannelLink<TMessage>();
  /** Random per storage, so that replies reach this very process. */
  readonly #requesterId = randomBytes(6).toString('base64url');
  /** Read entries ready to take, oldest first; each is also in `#held`. */
  readonly #window = new RingDeque<StoredMessage<TMessage>>();
  /** Every entry read into this process and not settled yet: in the window, in flight, delayed. */
  readonly #held = new Map<StoredMessage<TMessage>, HeldEntry>();
  /** Commands sent and not answered yet; closing waits for them. */
  readonly #operations = new PendingOperations();
  /** Writes sent messages into the stream, those of one turn together. */
  readonly #appender: EntryAppender<TMessage>;
  /** The acknowledgements of settled entries, and those that failed. */
  readonly #acks: Acknowledger<TMessage>;
  /** The shared backlog that capacity is checked against. */
  readonly #backlog: BacklogEstimate;
  /** The one read loop; reads only while a consumer of this process waits. */
  readonly #reader: StreamReader;
  /** Renews, reclaims, trims and refreshes the dead letters, once the storage is in use. */
  readonly #maintenance: StreamMaintenance<TMessage>;
  /** The dead-letter stream, and this process's view of it. */
  readonly #deadLetters: RedisDeadLetters<TMessage>;
  /** The replies of requests, heard and sent. */
  readonly #replies: RequestReplies<TMessage>;
  /** The first `close()`'s promise, shared by later calls. */
  #closing: Promise<StorageCloseReport> | undefined = undefined;

  /** @throws InvalidOptionError naming the first bad option. */
  constructor(options: RedisChannelStorageOptions) {
    this.#options = resolveRedisOptions(options);
    const link = this.#link;
    const operations = this.#operations;
    const { serializer } = this.#options;
    this.#acks = new Acknowledger(link, operations, MAX_PER_CALL);
    this.#connections = new RedisConnections(this.#options, () => {
      // Connection errors surface through the commands that fail; reading reports them.
    });
    const group = new ConsumerGroup(() => link.commands);
    this.#backlog = new BacklogEstimate(link, operations, this.#options.capacityCheckMs);
    this.#deadLetters = new RedisDeadLetters({
      link,
      operations,
      serializer,
      acks: this.#acks,
      capacity: this.#options.deadLetterCapacity,
    });
    this.#replies = new RequestReplies({
      link,
      connections: this.#connections,
      operations,
      serializer,
    });
    this.#appender = new EntryAppender({
      link,
      group,
      replies: this.#replies,
      deadLetters: this.#deadLetters,
      maxPerCall: MAX_PER_CALL,
    });
    const entries: MaintainedEntries = {
      wanted: () => this.#wanted(),
      heldCount: () => this.#held.size,
      renewals: () => [...this.#held.values()].map((entry): [string, ''] => [entry.entryId, '']),
      admit: (read, counts) => this.#admit(read, counts),
      mayClaim: () => this.#reader.historyRead,
    };
    this.#reader = new StreamReader({
      link,
      group,
      backlog: this.#backlog,
      intake: entries,
      blockMs: this.#options.blockMs,
    });
    this.#maintenance = new StreamMaintenance({
      link,
      operations,
      entries,
      acks: this.#acks,
      deadLetters: this.#deadLetters,
      intervalMs: this.#options.reclaimIntervalMs,
      claimIdleMs: this.#options.claimIdleMs,
    });
  }

  /** This replica's consumer name in the group. */
  get consumer(): string {
    return this.#options.consumer;
  }

  /** The stream's key (set once the storage is given to a channel). */
  get streamKey(): string | undefined {
    return this.#link.attached ? this.#link.keys.stream : undefined;
  }

  get length(): number {
    return this.#window.length;
  }

  get backlog(): number {
    return this.#backlog.value;
  }

  get deadLetterCount(): number {
    // A replica that only observes (stats, a registry) still follows the shared dead letters.
    this.#maintenance.start();
    return this.#deadLetters.count;
  }

  attach(host: ChannelStorageHost<TMessage>): void {
    if (this.#link.attached) {
      throw new InvalidOptionError(
        `channel "${host.name}"`,
        'storage',
        `a RedisChannelStorage already used by channel "${this.#link.host.name}"`,
        'a RedisChannelStorage of its own for each channel',
      );
    }
    const keys = redisKeys(this.#options.keyPrefix, host.name, this.#requesterId);
    this.#link.attach(host, keys, new StreamCommands(this.#connections, keys, this.#options));
  }

  // ---- Sending -------------------------------------------------------------------------------

  async append(message: StoredMessage<TMessage>): Promise<void> {
    const { host, keys } = this.#link;
    const operation = `store message ${message.id}`;
    if (this.#link.state !== 'running') throw new RedisTransportError(host.name, operation);
    const fields = entryFields(message, this.#options.serializer, keys.replies);
    this.#maintenance.start();
    this.#backlog.sendStarted();
    try {
      await this.#operations.track(this.#appender.store(message, fields));
      this.#backlog.sendStored();
    } catch (error) {
      throw new RedisTransportError(host.name, operation, error);
    } finally {
      this.#backlog.sendEnded();
    }
  }

  // ---- Reading -------------------------------------------------------------------------------

  demand(): void {
    if (this.#link.state !== 'running') return;
    this.#maintenance.start();
    this.#reader.demand();
  }

  /** How many entries to read now: for the consumers waiting, beyond what the window holds. */
  #wanted(): number {
    const host = this.#link.host;
    const free = host.waitingConsumers + this.#options.prefetch - this.#window.length;
    return Math.min(this.#options.batchSize, free);
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
    const { host } = this.#link;
    if (this.#link.state !== 'running' || !host.receiving) {
      await this.#maintenance.handBack(
        entries.map((entry) => [entry.entryId, (counts?.get(entry.entryId) ?? 1) - 1]),
      );
      return;
    }
    for (const entry of entries) {
      if (entry.fields === undefined) {
        this.#acks.acknowledgeDeleted(entry.entryId);
        continue;
      }
      const deliveries = counts?.get(entry.entryId) ?? 1;
      let decoded: DecodedEntry;
      try {
        decoded = decodeEntry(entry.entryId, entry.fields, this.#options.serializer);
      } catch (error) {
        this.#deadLetters.addUnreadable(entry, deliveries, error);
        continue;
      }
      const message = host.receive({
        id: decoded.id,
        body: decoded.body as TMessage,
        failures: Math.max(0, deliveries - 1),
        requester: decoded.replyTo === undefined ? undefined : this.#replies.requester(decoded),
      });
      this.#held.set(message, { entryId: entry.entryId });
      this.#window.push(message);
    }
    host.ready();
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
    if (held !== undefined && this.#link.state === 'running') {
      void this.#maintenance
        .renew([[held.entryId, message.failures + 1]], '')
        .catch((error: unknown) =>
          this.#link.report(`count the delivery of message ${message.id}`, error),
        );
    }
  }

  /**
   * Takes a message out that will not be delivered: out of the window, or, for a request of this
   * process whose sender gave up while it was being written, out of the stream (not written, or
   * deleted once written), so that no replica handles it.
   */
  remove(message: StoredMessage<TMessage>): boolean {
    return this.#window.remove(message) || this.#appender.withdraw(message);
  }

  // ---- Settling ------------------------------------------------------------------------------

  settle(message: StoredMessage<TMessage>): void {
    const held = this.#held.get(message);
    if (held === undefined) return;
    this.#held.delete(message);
    this.#acks.acknowledge(held.entryId, message);
  }

  addDeadLetter(
    letter: DeadLetter<TMessage>,
    message?: StoredMessage<TMessage>,
  ): DeadLetter<TMessage> | undefined {
    const held = message === undefined ? undefined : this.#held.get(message);
    if (message !== undefined) this.#held.delete(message);
    return this.#deadLetters.add(letter, message, held?.entryId);
  }

  deadLetters(): readonly DeadLetter<TMessage>[] {
    this.#maintenance.start();
    return this.#deadLetters.snapshot();
  }

  takeDeadLetters(ids?: readonly MessageId[]): DeadLetter<TMessage>[] {
    return this.#deadLetters.take(ids);
  }

  // ---- Closing -------------------------------------------------------------------------------

  close(): Promise<StorageCloseReport> {
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<StorageCloseReport> {
    const wasRunning = this.#link.state === 'running';
    this.#link.beginClosing();
    this.#maintenance.stop();
    this.#backlog.stop();
    this.#reader.wake();
    this.#connections.stopReading();
    if (wasRunning && this.#connections.used && this.#held.size > 0) {
      const left = [...this.#held].map(([message, entry]): [string, number] => [
        entry.entryId,
        message.failures,
      ]);
      void this.#maintenance.handBack(left).catch(() => undefined);
    }
    this.#appender.flush();
    this.#acks.flush();
    // One deadline for both waits, so that a server that hangs cannot make the close take twice
    // `closeTimeoutMs`: what is left of it after the writes goes to quitting the connection.
    const deadline = performance.now() + this.#options.closeTimeoutMs;
    await this.#operations.settle(this.#options.closeTimeoutMs);
    const unacknowledged = this.#acks.failed + this.#operations.pendingAcks + this.#acks.queued;
    await this.#connections.close(Math.max(0, deadline - performance.now()));
    this.#link.finishClosing();
    return { unacknowledged };
  }

  /** The client used for ordinary commands (the one given, or the one made here). */
  get client(): Redis {
    return this.#connections.command;
  }
}
