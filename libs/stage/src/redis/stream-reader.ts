import type { BacklogEstimate } from './backlog-estimate.js';
import type { ChannelLink } from './channel-link.js';
import type { ConsumerGroup } from './consumer-group.js';
import type { RawEntry } from './stream-replies.js';

/** Where the entries a Redis channel storage reads (or claims) go, and how many it wants. */
export interface EntryIntake {
  /** How many entries to read now: for the consumers waiting, beyond what the window holds. */
  wanted(): number;
  /** How many entries this consumer holds, read and not settled yet. */
  heldCount(): number;
  /**
   * Hands entries to the channel; `counts` are Redis's delivery counts by entry id (1 for an
   * entry missing from it, and for every entry when `counts` is undefined).
   */
  admit(
    entries: readonly RawEntry[],
    counts: ReadonlyMap<string, number> | undefined,
  ): Promise<void>;
}

/**
 * The read loop of a Redis channel storage: reads entries through the consumer group while a
 * consumer of this process waits (plus `prefetch`), so that entries stay in the stream for the
 * replicas with free consumers. A restarted replica with the same consumer name first takes back
 * its own pending entries (`XREADGROUP` from id 0), then new ones (`>`), blocking up to `blockMs`.
 * Internal.
 *
 * **Ordering.** There is never more than one loop; {@link demand} starts it or wakes it. When no
 * entry is wanted it sleeps until the next demand.
 *
 * **Failure.** A read that fails is reported once (`read entries`) until a read succeeds again,
 * and retried after `min(1 s, blockMs)` or at the next demand; a group Redis lost is created
 * again without a report. A defect of the loop itself is reported and ends it; the next demand
 * starts a new one.
 *
 * **Closing.** The loop ends once the storage no longer runs or the channel no longer takes
 * messages in; {@link wake} ends its wait at once (the storage also drops the blocking
 * connection, which ends a blocked read).
 */
export class StreamReader {
  /** The channel and the storage's state, checked before every read and after every failure. */
  readonly #link: ChannelLink<unknown>;
  /** Ensured before every read; forgotten when Redis says it does not exist. */
  readonly #group: ConsumerGroup;
  /** Told of the new entries read, which leave the group's lag. */
  readonly #backlog: BacklogEstimate;
  /** Says how many entries to read, and takes them. */
  readonly #intake: EntryIntake;
  /** The wait before reading again after a failure. */
  readonly #retryMs: number;
  /** Set while the loop runs, so that there is never more than one. */
  #looping = false;
  /** Wakes the loop when it waits for demand (or for its retry delay). */
  #wake: (() => void) | undefined = undefined;
  /** The retry delay after a failure, while armed. */
  #retryTimer: NodeJS.Timeout | undefined = undefined;
  /** Set until this consumer's own pending entries (from an earlier run) have been read. */
  #readingHistory = true;
  /** Where the next read of this consumer's own pending entries starts. */
  #historyFrom = '0';

  constructor(options: {
    readonly link: ChannelLink<unknown>;
    readonly group: ConsumerGroup;
    readonly backlog: BacklogEstimate;
    readonly intake: EntryIntake;
    readonly blockMs: number;
  }) {
    this.#link = options.link;
    this.#group = options.group;
    this.#backlog = options.backlog;
    this.#intake = options.intake;
    this.#retryMs = Math.min(1_000, options.blockMs);
  }

  /** A consumer waits: wakes the loop, or starts it when none runs. */
  demand(): void {
    this.wake();
    if (this.#looping) return;
    this.#looping = true;
    this.#loop()
      .catch((error: unknown) => this.#link.report('read entries', error))
      .finally(() => (this.#looping = false));
  }

  /**
   * Whether this consumer's own pending entries from an earlier run have all been read back. Until
   * then they are not claimed: a claim would take them a second time, and count a delivery more.
   */
  get historyRead(): boolean {
    return !this.#readingHistory;
  }

  /** Ends the loop's wait (for demand, or for its retry delay) at once. */
  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    wake?.();
  }

  async #loop(): Promise<void> {
    let failing = false;
    while (this.#link.state === 'running' && this.#link.host.receiving) {
      const wanted = this.#intake.wanted();
      if (wanted <= 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      try {
        await this.#group.ensure();
        await this.#readOnce(wanted);
        failing = false;
      } catch (error) {
        if (this.#link.state !== 'running') return;
        if (error instanceof Error && error.message.startsWith('NOGROUP')) this.#group.forget();
        else if (!failing) {
          failing = true;
          this.#link.report('read entries', error);
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#retryTimer = setTimeout(resolve, this.#retryMs);
        });
        this.#retryTimer = undefined;
      }
    }
  }

  /** One read: this consumer's own pending entries first (after a restart), then new ones. */
  async #readOnce(wanted: number): Promise<void> {
    const { commands } = this.#link;
    if (!this.#readingHistory) {
      const entries = await commands.readNew(wanted);
      this.#backlog.tookNew(entries.length);
      await this.#intake.admit(entries, undefined);
      return;
    }
    const entries = await commands.readOwn(wanted, this.#historyFrom);
    const last = entries[entries.length - 1];
    if (last === undefined) {
      this.#readingHistory = false;
      return;
    }
    this.#historyFrom = last.entryId;
    await this.#intake.admit(
      entries,
      await commands.deliveryCounts(entries, this.#intake.heldCount()),
    );
  }
}
