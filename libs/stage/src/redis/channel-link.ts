import type { ChannelStorageHost } from '../core/channel/channel-storage.js';
import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { RedisTransportError } from './errors/redis-transport-error.js';
import type { RedisKeys } from './redis-keys.js';
import type { StreamCommands } from './stream-commands.js';

/**
 * Where a Redis channel storage is in its life:
 * - `detached`: not given to a channel yet.
 * - `running`: serving its channel; connections are made on first use.
 * - `closing`: `close()` was called: nothing new is read; what is being written is waited for.
 * - `closed`: every connection made here is closed and every timer cleared.
 */
export type StorageState = 'detached' | 'running' | 'closing' | 'closed';

/**
 * A Redis channel storage's tie to the channel it serves: the channel, its keys and its commands
 * once `attach()` gave them, where the storage is in its life, and where background failures are
 * reported. Shared by the parts of one storage, which read it; only the storage moves it on.
 * Internal.
 *
 * **Failure.** Reading the channel, its keys or its commands before `attach()` throws
 * `InvalidOptionError` (the storage was used without being given to a channel). A failure
 * reported before `attach()` has no channel to go to and is dropped.
 *
 * **Closing.** The state only moves forward, to `closed`; each part checks it after every wait,
 * so that nothing is read, renewed or claimed for a storage that is closing.
 */
export class ChannelLink<TMessage> {
  /** Moves forward only: `detached`, `running` (once attached), `closing`, `closed`. */
  #state: StorageState = 'detached';
  /** Set by `attach()`, once, together with `#keys` and `#commands`. */
  #host: ChannelStorageHost<TMessage> | undefined = undefined;
  /** Set by `attach()`, once. */
  #keys: RedisKeys | undefined = undefined;
  /** Set by `attach()`, once. */
  #commands: StreamCommands | undefined = undefined;

  get state(): StorageState {
    return this.#state;
  }

  /** Whether `attach()` was called. */
  get attached(): boolean {
    return this.#host !== undefined;
  }

  /** The channel. @throws InvalidOptionError before `attach()`. */
  get host(): ChannelStorageHost<TMessage> {
    return this.#host ?? notAttached();
  }

  /** The channel's keys. @throws InvalidOptionError before `attach()`. */
  get keys(): RedisKeys {
    return this.#keys ?? notAttached();
  }

  /** The channel's Redis commands. @throws InvalidOptionError before `attach()`. */
  get commands(): StreamCommands {
    return this.#commands ?? notAttached();
  }

  /** Ties the storage to its channel and starts serving it; the caller checked it was free. */
  attach(host: ChannelStorageHost<TMessage>, keys: RedisKeys, commands: StreamCommands): void {
    this.#host = host;
    this.#keys = keys;
    this.#commands = commands;
    this.#state = 'running';
  }

  /** `close()` was called: nothing new is read from now on. */
  beginClosing(): void {
    this.#state = 'closing';
  }

  /** Every connection is closed and every timer cleared. */
  finishClosing(): void {
    this.#state = 'closed';
  }

  /** Reports a background failure to the channel (as `storage-failed`); never throws. */
  report(operation: string, cause?: unknown): void {
    const host = this.#host;
    if (host !== undefined)
      host.transportFailed(new RedisTransportError(host.name, operation, cause));
  }
}

function notAttached(): never {
  throw new InvalidOptionError(
    'a Redis channel storage',
    'storage',
    'a storage not given to a channel',
    'a storage passed as a channel\'s "storage" option before use',
  );
}
