import type { GroupEvent, GroupListener } from './group-events.js';
import type { TaskContext, TaskOutcome } from './task-context.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { toError } from '../errors/thrown-value-error.js';

/** One subscription; `subscribed` turns false once, when it is cancelled. */
interface Subscription {
  readonly listener: GroupListener;
  subscribed: boolean;
}

const NO_LISTENERS: readonly Subscription[] = Object.freeze([]);

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
  /**
   * Replaced, never mutated, so that an emission can iterate it while listeners change. A
   * subscription cancelled during an emission is skipped by it (its `subscribed` is checked);
   * one added during an emission hears the next event, not the current one.
   */
  #listeners: readonly Subscription[] = NO_LISTENERS;

  constructor(owner: string) {
    this.#owner = owner;
  }

  /** Whether anyone listens; build events only then. */
  get active(): boolean {
    return this.#listeners.length !== 0;
  }

  /**
   * Adds a listener; returns a function that removes it (once, however often it is called). Once
   * removed, the listener hears nothing more, not even the rest of an emission in progress.
   *
   * @throws {InvalidOptionError} When `listener` is not a function.
   */
  on(listener: GroupListener): () => void {
    if (typeof listener !== 'function') {
      throw new InvalidOptionError(this.#owner, 'listener', listener, 'a function');
    }
    const subscription: Subscription = { listener, subscribed: true };
    this.#listeners = [...this.#listeners, subscription];
    return () => {
      if (!subscription.subscribed) return;
      subscription.subscribed = false;
      const next = this.#listeners.filter((other) => other !== subscription);
      this.#listeners = next.length === 0 ? NO_LISTENERS : next;
    };
  }

  /** Calls every listener in order; one that throws is reported as `hook-failed`. */
  emit(event: GroupEvent): void {
    for (const subscription of this.#listeners) {
      if (!subscription.subscribed) continue;
      try {
        subscription.listener(event);
      } catch (error) {
        this.hookFailed(event, `listener of "${event.type}"`, error);
      }
    }
  }

  /**
   * Reports how `run` of group `group` (at `path`) ended: `completed`, `failed` or `task-stopped`.
   * Callers check {@link active} first.
   */
  outcome(
    group: string,
    path: readonly string[],
    run: Pick<TaskContext, 'index' | 'attempt'>,
    outcome: TaskOutcome,
  ): void {
    const base = { group, path, index: run.index, attempt: run.attempt };
    switch (outcome.kind) {
      case 'completed':
        this.emit({ type: 'completed', ...base });
        return;
      case 'failed':
        this.emit({ type: 'failed', ...base, error: outcome.error });
        return;
      case 'stopped':
        this.emit({ type: 'task-stopped', ...base });
        return;
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
    for (const subscription of listeners) {
      if (!subscription.subscribed) continue;
      try {
        subscription.listener(event);
      } catch {
        // Ignored on purpose; see above.
      }
    }
  }
}
