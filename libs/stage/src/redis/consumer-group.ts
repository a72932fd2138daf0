import type { StreamCommands } from './stream-commands.js';

/**
 * The consumer group a Redis channel storage reads through: created on first use (at id 0, so
 * that nothing sent before any consumer existed is skipped), and created again once Redis says it
 * does not exist (a stream deleted or flushed meanwhile). Internal.
 *
 * **Failure.** A creation that fails rejects every caller waiting for it, and the next use tries
 * again. **Closing** does not concern it: it holds no timer and no connection.
 */
export class ConsumerGroup {
  /** The channel's commands; read on first use, after the storage was given to a channel. */
  readonly #commands: () => StreamCommands;
  /** Resolves once the group exists; reset by a failed creation and by {@link forget}. */
  #created: Promise<void> | undefined = undefined;
  /** Set once `#created` has resolved, and cleared with it: the group exists as far as we know. */
  #exists = false;

  constructor(commands: () => StreamCommands) {
    this.#commands = commands;
  }

  /** Whether the group is known to exist, so that a write need not wait for {@link ensure}. */
  get ready(): boolean {
    return this.#exists;
  }

  /** Creates the group once (again after a failure or {@link forget}); resolves once it exists. */
  ensure(): Promise<void> {
    if (this.#created !== undefined) return this.#created;
    const created = this.#commands().createGroup();
    created.then(
      () => {
        if (this.#created === created) this.#exists = true;
      },
      () => {
        if (this.#created === created) this.#created = undefined;
      },
    );
    this.#created = created;
    return created;
  }

  /** Redis said the group does not exist (`NOGROUP`): the next use creates it again. */
  forget(): void {
    this.#created = undefined;
    this.#exists = false;
  }
}
