import type { ChannelEvent, ChannelListener } from './channel-events.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { toError } from '../errors/thrown-value-error.js';

/**
 * The listeners of one channel. Callers check {@link ChannelEmitter.active} before building an
 * event, so that a channel nobody listens to allocates nothing for events. Internal.
 */
export class ChannelEmitter {
  /** Replaced, never mutated, so that a listener may unsubscribe while events are emitted. */
  #listeners: readonly ChannelListener[] = [];

  constructor(
    /** The channel's name, for the events built here. */
    readonly channel: string,
  ) {}

  /** Whether anyone listens. */
  get active(): boolean {
    return this.#listeners.length > 0;
  }

  /**
   * Adds a listener; returns a function that removes it (once, however often it is called).
   *
   * @throws InvalidOptionError when `listener` is not a function.
   */
  on(listener: ChannelListener): () => void {
    if (typeof listener !== 'function') {
      throw new InvalidOptionError(`channel "${this.channel}"`, 'listener', listener, 'a function');
    }
    this.#listeners = [...this.#listeners, listener];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const index = this.#listeners.indexOf(listener);
      if (index >= 0) this.#listeners = this.#listeners.filter((_, at) => at !== index);
    };
  }

  /**
   * Calls every listener with `event`. Listeners that throw are reported as `hook-failed` once all
   * have seen the event; a listener throwing on `hook-failed` is not reported again.
   */
  emit(event: ChannelEvent): void {
    let failures: unknown[] | undefined;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        (failures ??= []).push(error);
      }
    }
    if (failures === undefined || event.type === 'hook-failed') return;
    for (const error of failures) this.hookFailed('listener', error);
  }

  /** Reports a storage operation that failed; the channel carries on. */
  storageFailed(error: unknown): void {
    if (this.active) {
      this.emit({ type: 'storage-failed', channel: this.channel, error: toError(error) });
    }
  }

  /** Reports a user callback that threw; the channel carries on. */
  hookFailed(hook: string, error: unknown): void {
    if (this.active) {
      this.emit({ type: 'hook-failed', channel: this.channel, hook, error: toError(error) });
    }
  }
}
