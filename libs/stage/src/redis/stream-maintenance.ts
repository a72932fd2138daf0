import type { Acknowledger } from './acknowledger.js';
import type { ChannelLink } from './channel-link.js';
import type { PendingOperations } from './pending-operations.js';
import type { RedisDeadLetters } from './redis-dead-letters.js';
import type { EntryIntake } from './stream-reader.js';

/** The entries a Redis channel storage holds, as its maintenance tick sees them. */
export interface MaintainedEntries extends EntryIntake {
  /** The entries held, each as `[entryId, '']`: renewed without changing its delivery count. */
  renewals(): [string, ''][];
  /**
   * Whether idle entries may be claimed now: not before this consumer has read back its own
   * pending entries from an earlier run, which `XAUTOCLAIM` would otherwise claim too (it does not
   * skip the caller's own entries), handing them out twice.
   */
  mayClaim(): boolean;
}

/**
 * The maintenance tick of a Redis channel storage, every `reclaimIntervalMs` once the storage is
 * in use: it renews the entries this replica holds (so that no other replica takes them), claims
 * entries idle for `claimIdleMs` from dead replicas when a consumer of its own waits
 * (`XAUTOCLAIM`, with the delivery counts Redis kept), trims the stream below what every
 * consumer group still needs once something was acknowledged, and refreshes the mirrored dead
 * letters. It also renews or hands back single entries for the storage (see {@link renew} and
 * {@link handBack}). Internal.
 *
 * **Ordering.** Ticks never overlap: a tick that comes while the last one still runs is skipped.
 *
 * **Failure.** A step that fails ends the tick and is reported (`maintain the stream`) while the
 * storage runs; the next tick tries again. **Closing.** {@link stop} clears the interval; a tick
 * that was running does nothing more once the storage no longer runs.
 */
export class StreamMaintenance<TMessage> {
  /** The channel, its commands and the storage's state. */
  readonly #link: ChannelLink<TMessage>;
  /** Where each command is tracked, so that closing waits for it. */
  readonly #operations: PendingOperations;
  /** The entries held here, and where claimed ones go. */
  readonly #entries: MaintainedEntries;
  /** Says whether anything was acknowledged since the last trim. */
  readonly #acks: Acknowledger<TMessage>;
  /** Refreshed at the end of every tick, and once at start. */
  readonly #deadLetters: RedisDeadLetters<TMessage>;
  /** The time between ticks. */
  readonly #intervalMs: number;
  /** How long an entry must be idle before a replica claims it. */
  readonly #claimIdleMs: number;
  /** The tick's interval, once started; cleared by {@link stop}. */
  #timer: NodeJS.Timeout | undefined = undefined;
  /** Set while a tick runs, so that ticks never overlap. */
  #ticking = false;
  /** Where the next `XAUTOCLAIM` scan starts. */
  #claimCursor = '0-0';

  constructor(options: {
    readonly link: ChannelLink<TMessage>;
    readonly operations: PendingOperations;
    readonly entries: MaintainedEntries;
    readonly acks: Acknowledger<TMessage>;
    readonly deadLetters: RedisDeadLetters<TMessage>;
    readonly intervalMs: number;
    readonly claimIdleMs: number;
  }) {
    this.#link = options.link;
    this.#operations = options.operations;
    this.#entries = options.entries;
    this.#acks = options.acks;
    this.#deadLetters = options.deadLetters;
    this.#intervalMs = options.intervalMs;
    this.#claimIdleMs = options.claimIdleMs;
  }

  /** Starts the tick, on first use of a running storage, and refreshes the dead letters at once. */
  start(): void {
    if (this.#timer !== undefined || this.#link.state !== 'running') return;
    this.#timer = setInterval(() => void this.#tick(), this.#intervalMs);
    this.#timer.unref();
    void this.#deadLetters.refresh();
  }

  /** Clears the tick, at close. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Renews entries this consumer still owns (resetting their idle time), setting their delivery
   * count when one is given; `idleMs` instead makes them look idle that long (at close, so that
   * other replicas claim them at once). Returns the ids no longer owned.
   */
  renew(entries: readonly [string, number | ''][], idleMs: number | ''): Promise<string[]> {
    return this.#operations.track(this.#link.commands.renew(entries, idleMs));
  }

  /**
   * Hands entries back for another replica: their delivery count set to the failures counted so
   * far (an interrupted delivery does not count) and their idle time to `claimIdleMs`, so that the
   * next replica's reclaimer takes them at once.
   */
  async handBack(entries: readonly [string, number][]): Promise<void> {
    await this.renew(entries, this.#claimIdleMs);
  }

  async #tick(): Promise<void> {
    if (this.#ticking || this.#link.state !== 'running') return;
    this.#ticking = true;
    const { host, commands } = this.#link;
    try {
      const held = this.#entries.renewals();
      if (held.length > 0) await this.renew(held, '');
      if (this.#entries.wanted() > 0 && host.receiving && this.#entries.mayClaim()) {
        await this.#reclaim();
      }
      if (this.#acks.takeTrimDue()) await this.#operations.track(commands.trim());
      await this.#deadLetters.refresh();
    } catch (error) {
      if (this.#link.state === 'running') this.#link.report('maintain the stream', error);
    } finally {
      this.#ticking = false;
    }
  }

  /** Claims entries idle past `claimIdleMs` from dead replicas, for this process's consumers. */
  async #reclaim(): Promise<void> {
    const { commands } = this.#link;
    const claimed = await this.#operations.track(
      commands.claimIdle(this.#claimCursor, this.#entries.wanted()),
    );
    this.#claimCursor = claimed.next;
    if (claimed.entries.length === 0) return;
    const counts = await commands.deliveryCounts(claimed.entries, this.#entries.heldCount());
    await this.#entries.admit(claimed.entries, counts);
  }
}
