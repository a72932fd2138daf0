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
      this.#command = this.#own(createClient(this.#connection, OWN_DEFAULTS));
    }
    return this.#command;
  }

  get reader(): Redis {
    return (this.#reader ??= this.#own(
      this.command.duplicate({
        lazyConnect: true,
        maxRetriesPerRequest: null,
        disconnectTimeout: 0,
      }),
    ));
  }

  get subscriber(): Redis {
    return (this.#subscriber ??= this.#own(
      this.command.duplicate({ lazyConnect: true, disconnectTimeout: 0 }),
    ));
  }

  /** Drops the reading connection at once: a blocked read rejects. */
  stopReading(): void {
    if (this.#reader !== undefined) drop(this.#reader);
  }

  /**
   * Closes what was made here: the reader and subscriber are dropped; an owned command client is
   * quit (its pending replies are waited for up to `timeoutMs`; not at all for 0), then dropped.
   * A given client is left as it is. Never rejects.
   */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    if (this.#reader !== undefined) drop(this.#reader);
    if (this.#subscriber !== undefined) drop(this.#subscriber);
    const command = this.#command;
    if (!this.#ownsCommand || command === undefined) return;
    if (command.status === 'ready' && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        command.quit().catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    drop(command);
  }

  /** Listens to a connection made here, so that its errors are reported, not printed. */
  #own(client: Redis): Redis {
    if (this.#closed) drop(client);
    client.on('error', (error: Error) => this.#onError(error));
    return client;
  }
}

/**
 * Options of the command client made here (connection options given by the user win):
 * - `maxRetriesPerRequest: 3`: while Redis is unreachable, a command (a send) fails after three
 *   reconnection attempts (a few seconds) instead of ioredis's twenty (about 70 s); the client
 *   keeps reconnecting in the background.
 * - `disconnectTimeout: 0`: ioredis ends a socket it disconnects and destroys it only after that
 *   long (2 s by default) if the server does not close it, with a timer that keeps the process
 *   alive meanwhile; Stage's own connections have nothing left to wait for once dropped.
 */
const OWN_DEFAULTS: RedisOptions = {
  enableAutoPipelining: true,
  maxRetriesPerRequest: 3,
  disconnectTimeout: 0,
};

/**
 * Disconnects a connection made here and destroys its socket now, so that neither the socket of
 * a server that hangs nor ioredis's timer outlives `close()`. Nothing is lost by not waiting:
 * `close()` has already waited for the replies it wanted.
 */
function drop(client: Redis): void {
  client.disconnect();
  const socket: { destroy?: () => void } | undefined = client.stream;
  socket?.destroy?.();
}

function createClient(connection: string | RedisOptions, defaults: RedisOptions): Redis {
  if (typeof connection === 'string')
    return new Redis(connection, { ...defaults, lazyConnect: true });
  return new Redis({ ...defaults, ...connection, lazyConnect: true });
}
