import type { ChannelLink } from './channel-link.js';
import type { PendingOperations } from './pending-operations.js';

/**
 * A Redis channel storage's estimate of the messages waiting in the shared stream for any consumer,
 * which the channel checks its capacity against: the consumer group's lag as last read from Redis,
 * plus this process's sends not confirmed yet. Between reads of the lag, it counts locally: a
 * confirmed send adds one, new entries this replica reads take theirs off. Internal.
 *
 * **Not exact across replicas:** the lag is read again `capacityCheckMs` after a send, and then
 * every `capacityCheckMs` while the channel is full, so that capacity follows what the replicas
 * have taken. Waiting senders hear of freed room through `host.roomFreed()`.
 *
 * **Failure.** A read of the lag that fails (no stream yet, Redis unreachable) keeps the last
 * estimate; the next send checks again. **Closing.** {@link stop} clears the pending check, and
 * no check is armed once the storage no longer runs.
 */
export class BacklogEstimate {
  /** The channel it is checked against, and whether the storage still runs. */
  readonly #link: ChannelLink<unknown>;
  /** Where the reads of the lag are tracked, so that closing waits for them. */
  readonly #operations: PendingOperations;
  /** How long after a send the lag is read again. */
  readonly #checkAfterMs: number;
  /** The consumer group's lag (entries not delivered yet), as last read from Redis. */
  #lag = 0;
  /** Sends handed to Redis and not confirmed yet. */
  #sending = 0;
  /** The next check of the lag, while armed; at most one at a time. */
  #timer: NodeJS.Timeout | undefined = undefined;

  constructor(link: ChannelLink<unknown>, operations: PendingOperations, checkAfterMs: number) {
    this.#link = link;
    this.#operations = operations;
    this.#checkAfterMs = checkAfterMs;
  }

  /** The estimated messages waiting in the stream for any consumer. */
  get value(): number {
    return this.#lag + this.#sending;
  }

  /** A send was handed to Redis; it counts until {@link sendEnded}. */
  sendStarted(): void {
    this.#sending++;
  }

  /** Redis confirmed a send: the entry waits in the stream until a replica reads it. */
  sendStored(): void {
    this.#lag++;
  }

  /** A send is over, stored or not: the lag is read again soon. */
  sendEnded(): void {
    this.#sending--;
    this.#checkSoon();
  }

  /**
   * This replica just read `count` new entries, which leave the group's lag: the estimate drops
   * at once (instead of at the next check) and waiting senders get the room.
   */
  tookNew(count: number): void {
    if (count === 0) return;
    this.#lag = Math.max(0, this.#lag - count);
    const host = this.#link.host;
    if (this.#link.state === 'running' && this.value < host.capacity) host.roomFreed();
  }

  /** Clears the pending check, at close. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Reads the group's lag soon, so that capacity follows what the replicas have taken. */
  #checkSoon(): void {
    if (this.#timer !== undefined || this.#link.state !== 'running') return;
    this.#timer = setTimeout(() => void this.#check(), this.#checkAfterMs);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    const { host, commands } = this.#link;
    try {
      this.#lag = await this.#operations.track(commands.lag());
    } catch {
      // No stream yet, or Redis unreachable: the next send checks again.
    }
    this.#timer = undefined;
    if (this.#link.state !== 'running') return;
    if (this.value < host.capacity) host.roomFreed();
    else this.#checkSoon();
  }
}
