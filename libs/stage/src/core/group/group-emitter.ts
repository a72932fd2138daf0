import type { GroupEvent, GroupListener } from './group-events.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { toError } from '../errors/thrown-value-error.js';

const NO_LISTENERS: readonly GroupListener[] = Object.freeze([]);

/**
 * The listeners of one group, and the one place where a throwing listener is turned into a
 * `hook-failed` event. Internal to the group.
 *
 * Emitting costs nothing but a length check while nobody listens: callers test {@link active}
 * before building an event.
 */
export class GroupEmitter {
  /** Names the group in errors. */
  readonly #owner: string;
  /** Replaced, never mutated, so that an emission can iterate it while listeners change. */
  #listeners: readonly GroupListener[] = NO_LISTENERS;

  constructor(owner: string) {
    this.#owner = owner;
  }

  /** Whether anyone listens; build events only then. */
  get active(): boolean {
    return this.#listeners.length !== 0;
  }

  /**
   * Adds a listener; returns a function that removes it (once, however often it is called).
   *
   * @throws {InvalidOptionError} When `listener` is not a function.
   */
  on(listener: GroupListener): () => void {
    if (typeof listener !== 'function') {
      throw new InvalidOptionError(this.#owner, 'listener', listener, 'a function');
    }
    this.#listeners = [...this.#listeners, listener];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const at = this.#listeners.indexOf(listener);
      if (at === -1) return;
      const next = [...this.#listeners];
      next.splice(at, 1);
      this.#listeners = next.length === 0 ? NO_LISTENERS : next;
    };
  }

  /** Calls every listener in order; one that throws is reported as `hook-failed`. */
  emit(event: GroupEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.hookFailed(event, `listener of "${event.type}"`, error);
      }
    }
  }

  /**
   * Reports a throwing user callback (`hook`) to every listener. A listener that throws while
   * hearing it is ignored: reporting that as another `hook-failed` would recurse without end.
   *
   * @param source Gives the event its `group` and `path`.
   */
  hookFailed(source: Pick<GroupEvent, 'group' | 'path'>, hook: string, error: unknown): void {
    const listeners = this.#listeners;
    if (listeners.length === 0) return;
    const event: GroupEvent = {
      type: 'hook-failed',
      group: source.group,
      path: source.path,
      hook,
      error: toError(error),
    };
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // Ignored on purpose; see above.
      }
    }
  }
}
