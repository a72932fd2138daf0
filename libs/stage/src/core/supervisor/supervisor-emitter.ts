import { ListenerSet } from './listener-set.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { SupervisorEvent, SupervisorListener } from './supervisor-events.js';

/** A supervisor event without the fields every event gets from its supervisor. */
export type SupervisorEventBody = SupervisorEvent extends infer TEvent
  ? TEvent extends SupervisorEvent
    ? Omit<TEvent, 'supervisor' | 'path'>
    : never
  : never;

/** The supervisor an emitter speaks for, read at every event. */
export interface EventSource {
  readonly name: string;
  readonly path: readonly string[];
}

/**
 * The event stream of one supervisor: stamps each event with the supervisor's name and its path
 * at the time of the event, and runs the listeners synchronously, in subscription order. Internal:
 * the supervisor and the parts it delegates to emit through it; users subscribe with
 * `Supervisor.on()`.
 *
 * Emitting never throws. A listener that throws is reported to the supervisor's hook-failure
 * reporter as `listener` (which emits `hook-failed`), except while `hook-failed` itself is being
 * emitted: a failure there has nowhere left to be reported. Cancellation, restarts and stops do
 * not affect it: it emits whatever it is given, in any state of the supervisor.
 */
export class SupervisorEmitter {
  /** Who speaks; its path is read at every event, so that re-parenting shows at once. */
  readonly #source: EventSource;
  /** Where failing hooks go: the supervisor's own reporter, which emits `hook-failed` here. */
  readonly #reportHookFailure: (hook: string, error: unknown) => void;
  /** Every listener; each call is guarded. */
  readonly #listeners = new ListenerSet<SupervisorEvent>();

  /**
   * @param source The supervisor the events speak for.
   * @param reportHookFailure The supervisor's reporter of failing user code; never throws.
   */
  constructor(source: EventSource, reportHookFailure: (hook: string, error: unknown) => void) {
    this.#source = source;
    this.#reportHookFailure = reportHookFailure;
  }

  /** Subscribes `listener`; returns a function that unsubscribes it (once). */
  on(listener: SupervisorListener): () => void {
    if (typeof listener !== 'function') {
      const owner = `supervisor "${this.#source.name}"`;
      throw new InvalidOptionError(owner, 'listener', listener, 'a function');
    }
    return this.#listeners.add(listener);
  }

  /** Stamps `event` with the supervisor's name and path, then calls every listener with it. */
  emit(event: SupervisorEventBody): void {
    const source = this.#source;
    const full = { ...event, supervisor: source.name, path: source.path } as SupervisorEvent;
    this.#listeners.emit(full, (error) => {
      // A throwing `hook-failed` listener has nowhere left to be reported.
      if (full.type !== 'hook-failed') this.#reportHookFailure('listener', error);
    });
  }

  /** Reports that user code called on the supervisor's behalf threw; never throws. */
  reportHookFailure(hook: string, error: unknown): void {
    this.#reportHookFailure(hook, error);
  }
}
