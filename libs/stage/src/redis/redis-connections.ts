import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { ResolvedRedisOptions } from './redis-channel-storage-options.js';

/**
 * The connections of one Redis channel storage, made on first use:
 * - `command`: ordinary commands. The client given in the options (never quit: it is the user's),
 *   or one made from the connection options (owned, quit at close).
 * - `reader`: blocking reads; always a connection of its own (a `duplicate()`), dropped at close
 *   so that a read blocked on a server that is gone ends at once.
 * - `subscriber`: the reply channel's subscription; a `duplicate()` too, dropped at close.
 *
 * Internal.
 */
export class RedisConnections {
  /** The client for ordinary commands, made on first use. */
  #command: Redis | undefined;
  /** Whether `#command` was made here (and is quit here). */
  readonly #ownsCommand: boolean;
  #reader: Redis | undefined = undefined;
  #subscriber: Redis | undefined = undefined;
  /** Set by `close()`: a connection made after it is dropped at once. */
  #closed = false;
  /** Where to connect when no client was given. */
  readonly #connection: string | RedisOptions;
  /** Told of connection errors on the connections made here. */
  readonly #onError: (error: Error) => void;

  constructor(options: ResolvedRedisOptions, onError: (error: Error) => void) {
    this.#command = options.client;
    this.#ownsCommand = options.client === undefined;
    this.#connection = options.connection ?? {};
    this.#onError = onError;
  }

  /** Whether any connection was made or given. */
  get used(): boolean {
    return this.#command !== undefined;
  }

  get command(): Redis {
    if (this.#command === undefined) {
      this.#command = this.#own(createClient(this.#connection, { enableAutoPipelining: true }));
    }
    return this.#command;
  }

  get reader(): Redis {
    return (this.#reader ??= this.#own(
      this.command.duplicate({ lazyConnect: true, maxRetriesPerRequest: null }),
    ));
  }

  get subscriber(): Redis {
    return (this.#subscriber ??= this.#own(this.command.duplicate({ lazyConnect: true })));
  }

  /** Drops the reading connection at once: a blocked read rejects. */
  stopReading(): void {
    this.#reader?.disconnect();
  }

  /**
   * Closes what was made here: the reader and subscriber are dropped; an owned command client is
   * quit (its pending replies are waited for up to `timeoutMs`), then dropped. A given client is
   * left as it is.
   */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    this.#reader?.disconnect();
    this.#subscriber?.disconnect();
    const command = this.#command;
    if (!this.#ownsCommand || command === undefined) return;
    if (command.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        command.quit().catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    command.disconnect();
  }

  /** Listens to a connection made here, so that its errors are reported, not printed. */
  #own(client: Redis): Redis {
    if (this.#closed) client.disconnect();
    client.on('error', (error: Error) => this.#onError(error));
    return client;
  }
}

function createClient(connection: string | RedisOptions, defaults: RedisOptions): Redis {
  if (typeof connection === 'string')
    return new Redis(connection, { ...defaults, lazyConnect: true });
  return new Redis({ ...defaults, ...connection, lazyConnect: true });
}
