import type { RedisConnections } from './redis-connections.js';
import type { ResolvedRedisOptions } from './redis-channel-storage-options.js';
import type { RedisKeys } from './redis-keys.js';
import {
  ACK_AND_DEAD_LETTER,
  ACK_EACH,
  ADD_EACH,
  RENEW_OWNED,
  REPLAY,
  TRIM_SETTLED,
  runScript,
} from './redis-scripts.js';
import { fieldMap } from './stream-entry.js';
import { readEntries, readPendingCounts } from './stream-replies.js';
import type { RawEntry } from './stream-replies.js';
import { countOf } from '../core/util/count-of.js';

/** Renewals are sent in batches of this many entries, to keep each script call short. */
const RENEW_BATCH = 200;

/**
 * The Redis commands of one channel's storage, each a single round trip (or one per batch), with
 * their replies parsed. Stateless: the storage decides when to call them. Internal.
 */
export class StreamCommands {
  readonly #connections: RedisConnections;
  readonly #keys: RedisKeys;
  readonly #options: ResolvedRedisOptions;

  constructor(connections: RedisConnections, keys: RedisKeys, options: ResolvedRedisOptions) {
    this.#connections = connections;
    this.#keys = keys;
    this.#options = options;
  }

  /** Creates the consumer group at id 0 (nothing sent before it is skipped); exists is fine. */
  async createGroup(): Promise<void> {
    try {
      await this.#connections.command.call(
        'XGROUP',
        'CREATE',
        this.#keys.stream,
        this.#options.group,
        '0',
        'MKSTREAM',
      );
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
  }

  /**
   * Appends entries to the stream in one round trip, each on its own; resolves with one result
   * per entry, in order: its entry id, or the error Redis gave for it.
   *
   * @throws (rejects) when Redis fails the call as a whole or answers something else than one
   * result per entry.
   */
  async addEach(entries: readonly (readonly string[])[]): Promise<(string | Error)[]> {
    const args: (string | number)[] = [];
    for (const fields of entries) args.push(fields.length, ...fields);
    const reply = await runScript(this.#connections.command, ADD_EACH, [this.#keys.stream], args);
    if (!Array.isArray(reply) || reply.length !== entries.length) {
      throw new Error(
        `XADD of ${countOf(entries.length, 'entry', 'entries')} answered ${JSON.stringify(reply)}`,
      );
    }
    return reply.map((result) => {
      const text = String(result);
      return text.startsWith('!') ? new Error(text.slice(1)) : text;
    });
  }

  /**
   * Appends a replayed dead letter and deletes it from the dead-letter stream, atomically;
   * resolves `false`, adding nothing, when another replica replayed it first.
   */
  async replay(deadEntryId: string, fields: readonly string[]): Promise<boolean> {
    const { stream, dead } = this.#keys;
    const args = [deadEntryId, ...fields];
    const added = await runScript(this.#connections.command, REPLAY, [stream, dead], args);
    return added !== null;
  }

  /** The consumer group's lag: entries not delivered to any consumer yet (0 without a stream). */
  async lag(): Promise<number> {
    const groups = await this.#connections.command.call('XINFO', 'GROUPS', this.#keys.stream);
    const ours = (Array.isArray(groups) ? groups : [])
      .map((raw) => fieldMap(raw))
      .find((fields) => fields.get('name') === this.#options.group);
    const lag = Number(ours?.get('lag') ?? 0);
    return Number.isFinite(lag) ? lag : 0;
  }

  /** Reads this consumer's own pending entries after `from` (no blocking). */
  async readOwn(count: number, from: string): Promise<RawEntry[]> {
    const { group, consumer } = this.#options;
    const raw = await this.#connections.reader.call(
      'XREADGROUP',
      'GROUP',
      group,
      consumer,
      'COUNT',
      count,
      'STREAMS',
      this.#keys.stream,
      from,
    );
    return readEntries(raw);
  }

  /** Reads new entries, blocking up to `blockMs` when there are none. */
  async readNew(count: number): Promise<RawEntry[]> {
    const { group, consumer, blockMs } = this.#options;
    const raw = await this.#connections.reader.call(
      'XREADGROUP',
      'GROUP',
      group,
      consumer,
      'COUNT',
      count,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.#keys.stream,
      '>',
    );
    return readEntries(raw);
  }

  /** Redis's delivery counts of entries this consumer holds, by entry id. */
  async deliveryCounts(
    entries: readonly RawEntry[],
    alsoHeld: number,
  ): Promise<Map<string, number>> {
    const first = entries[0]?.entryId;
    const last = entries[entries.length - 1]?.entryId;
    if (first === undefined || last === undefined) return new Map();
    const raw = await this.#connections.command.call(
      'XPENDING',
      this.#keys.stream,
      this.#options.group,
      first,
      last,
      entries.length + alsoHeld,
      this.#options.consumer,
    );
    return readPendingCounts(raw);
  }

  /** Claims up to `count` entries idle past `claimIdleMs`; returns them and the next cursor. */
  async claimIdle(cursor: string, count: number): Promise<{ next: string; entries: RawEntry[] }> {
    const { group, consumer, claimIdleMs } = this.#options;
    const raw = await this.#connections.command.call(
      'XAUTOCLAIM',
      this.#keys.stream,
      group,
      consumer,
      claimIdleMs,
      cursor,
      'COUNT',
      count,
    );
    if (!Array.isArray(raw)) return { next: '0-0', entries: [] };
    return { next: String(raw[0] ?? '0-0'), entries: readEntries([[this.#keys.stream, raw[1]]]) };
  }

  /**
   * Acknowledges entries in one round trip; resolves with one 1 or 0 per id, in order (0 when the
   * entry was no longer pending).
   *
   * @throws (rejects) when Redis fails the call or answers something else than one count per id.
   */
  async ackEach(entryIds: readonly string[]): Promise<number[]> {
    const { stream } = this.#keys;
    const args = [this.#options.group, ...entryIds];
    const reply = await runScript(this.#connections.command, ACK_EACH, [stream], args);
    if (!Array.isArray(reply) || reply.length !== entryIds.length) {
      throw new Error(
        `XACK of ${countOf(entryIds.length, 'entry', 'entries')} answered ${JSON.stringify(reply)}`,
      );
    }
    return reply.map(Number);
  }

  /**
   * Acknowledges an entry ('' for none) and records its dead letter only if that counted;
   * resolves with whether it was acknowledged (1 or 0) and the dead-letter entry's id.
   */
  async ackAndDeadLetter(entryId: string, fields: readonly string[]): Promise<[number, string]> {
    const { stream, dead } = this.#keys;
    const { group, deadLetterCapacity } = this.#options;
    const result = await runScript(
      this.#connections.command,
      ACK_AND_DEAD_LETTER,
      [stream, dead],
      [group, entryId, deadLetterCapacity, ...fields],
    );
    const [acked, deadEntry] = Array.isArray(result) ? result : [0, ''];
    return [Number(acked), String(deadEntry ?? '')];
  }

  /**
   * Renews the entries this consumer still owns, setting the delivery count of those given one,
   * or (with `idleMs`) marking them idle that long. Resolves with the ids no longer owned.
   */
  async renew(entries: readonly [string, number | ''][], idleMs: number | ''): Promise<string[]> {
    const lost: string[] = [];
    const { group, consumer } = this.#options;
    for (let start = 0; start < entries.length; start += RENEW_BATCH) {
      const pairs = entries.slice(start, start + RENEW_BATCH).flatMap(([id, count]) => [id, count]);
      const result = await runScript(
        this.#connections.command,
        RENEW_OWNED,
        [this.#keys.stream],
        [group, consumer, idleMs, ...pairs],
      );
      if (Array.isArray(result)) lost.push(...result.map(String));
    }
    return lost;
  }

  /** Deletes an entry from the stream: a request whose sender gave up while it was written. */
  async deleteEntry(entryId: string): Promise<void> {
    await this.#connections.command.call('XDEL', this.#keys.stream, entryId);
  }

  /** Trims entries every consumer group is done with (see `TRIM_SETTLED`). */
  async trim(): Promise<void> {
    await runScript(this.#connections.command, TRIM_SETTLED, [this.#keys.stream], []);
  }

  /** Publishes a reply on a requester's channel. */
  async publish(channel: string, text: string): Promise<void> {
    await this.#connections.command.publish(channel, text);
  }

  /** The newest `deadLetterCapacity` dead letters, oldest first. */
  async deadLetters(): Promise<RawEntry[]> {
    const { dead } = this.#keys;
    const raw = await this.#connections.command.call(
      'XREVRANGE',
      dead,
      '+',
      '-',
      'COUNT',
      this.#options.deadLetterCapacity,
    );
    return readEntries([[dead, raw]]).reverse();
  }
}
