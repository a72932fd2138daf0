import { GroupEmitter } from './group-emitter.js';
import { GroupHalt } from './group-halt.js';
import { GroupRecord } from './group-record.js';
import { GroupSlots } from './group-slots.js';
import type { GroupListener } from './group-events.js';
import type { GroupState, GroupStatus } from './group-status.js';
import {
  defaultIntensity,
  resolveGroupOptions,
  validateSize,
  validateTimeout,
  type ResolvedGroupOptions,
} from './resolve-group-options.js';
import { runInScope } from './run-in-scope.js';
import type { RestartPolicy } from './restart-policy.js';
import type { StopOptions, StopReport } from './stop-report.js';
import type { TaskOutcome } from './task-context.js';
import type { TaskGroupOptions } from './task-group-options.js';
import { GroupGaveUpError } from '../errors/group-gave-up-error.js';
import type { ChildExit, ChildParent, SupervisedChild } from '../supervisor/child.js';

const STOPPED: TaskOutcome = Object.freeze({ kind: 'stopped' });
const IDLE_STATE: GroupState = Object.freeze({ kind: 'idle' });
const STOPPING_STATE: GroupState = Object.freeze({ kind: 'stopping' });
const COMPLETED_STATE: GroupState = Object.freeze({ kind: 'completed' });
const NOTHING_TO_STOP: StopReport = Object.freeze({ settled: 0, abandoned: [], clean: true });

/**
 * A group of `size` concurrent tasks built from one function, restarted by a policy, stopped
 * cleanly: the first degree of Stage, and a child a supervisor can own.
 *
 * **Runs.** `start()` begins a run: every slot `0..size-1` launches its task on a later turn of
 * the event loop (never synchronously). A run ends when `stop()` resolves, when the group gives
 * up, or when every slot has ended with nothing to restart; a later `start()` begins a new run
 * with a fresh restart-intensity window, fresh slots (attempts start again at 1) and fresh
 * backoff, while the counters of {@link status} (`restarts`, `failures`) keep growing.
 *
 * **Outcomes.** A task run ends *completed* when its promise resolves (or it returns a value),
 * *failed* when it throws or rejects, synchronously or not, with any value (a non-`Error` is
 * wrapped in a `ThrownValueError` that keeps it, and so is a value that throws when inspected,
 * such as a revoked `Proxy`; an `Error` of another realm is kept as is), and *stopped* when it
 * ends after its stop was requested, however it ended. A stopped run is never restarted. A
 * returned promise whose `then` throws fails the run. Once a run has ended, however it ended,
 * its `ctx.signal` has fired: work it left running learns that it must stop before any restart.
 *
 * **Restarts.** By the restart policy: `always` after a completion (waiting `backoff.minMs`)
 * and after a failure; `on-failure` after a failure only; `never` not at all. A failure waits a
 * backoff grown from the slot's consecutive failures (reset by a completion or by a run that
 * lasted `backoff.resetAfterMs`). A wait of 0 still yields with `setImmediate`, so a crash loop
 * never starves the event loop. Every restart of every slot counts against the group's restart
 * intensity (default: 6 per slot within 30 s, which gives up after about 12 s of a task that
 * fails at once on every start); past it the group **gives up**: it emits `gave-up` with a
 * {@link GroupGaveUpError}, stops its tasks within `shutdownTimeoutMs`, enters state `gave-up`
 * and then reports the error to its parent (`childExited` with `failed`) and to `scope()`. The
 * window and `resetAfterMs` are measured on a monotonic clock (`performance.now()`): setting the
 * system clock back or forth neither fills nor empties them. Resizing keeps the window's restarts.
 *
 * **The end of a run on its own.** When every slot has ended and none will restart (all
 * completed under `on-failure`, or any end under `never`), the run ends in state `completed`
 * and the parent hears `childExited` with `completed`, or with `failed` carrying the latest
 * failure when a slot's last run failed under `never` (see `status().lastFailure`). A group of
 * size 0, or shrunk so that no slot is left, keeps running (idle) until it is stopped or grown.
 *
 * **User callbacks.** A listener, a hook or the backoff's random source that throws never hangs
 * the group nor crashes the process: it is reported as a `hook-failed` event (a throwing
 * `hook-failed` listener is ignored) and the group carries on as documented. With no listener at
 * all, such errors are not reported anywhere: attach one (for example {@link attachGroupLog}).
 * User code may also call `stop()`, `start()` or `resize()` from inside any of these, or from a
 * task's abort listener: the call takes effect as it would from outside (a `stop()` made while the
 * group decides a restart cancels that restart), and the group stays consistent.
 *
 * @example
 * const group = new TaskGroup({
 *   name: 'poller',
 *   size: 2,
 *   task: async (ctx) => {
 *     while (!ctx.signal.aborted) await pollOnce(ctx.signal);
 *   },
 * });
 * group.start();
 * // ...
 * const report = await group.stop(); // report.abandoned lists tasks that ignored their signal
 */
export class TaskGroup implements SupervisedChild {
  readonly name: string;
  readonly restart: RestartPolicy;
  /** The validated options; never changes. */
  readonly #options: ResolvedGroupOptions;
  /** The size of the current or next run; changed only by `resize()`. */
  #size: number;
  /** Public state; a new object on each transition, so `status()` can share it. */
  #state: GroupState = IDLE_STATE;
  /** The halt in progress, while tasks of a stopped or given-up run are still settling. */
  #halt: GroupHalt | undefined = undefined;
  /** The promise of the latest halt, returned by `stop()` once it is over; reset by a run. */
  #lastStop: Promise<StopReport> | undefined = undefined;
  /** A `start()` arrived during a halt: a new run begins once the halt is over. */
  #pendingStart = false;
  /** The listeners; a throwing one is reported as `hook-failed`. */
  readonly #events: GroupEmitter;
  /** The slots of the current run: their launch, restart and retirement (see `GroupSlots`). */
  readonly #slots: GroupSlots;
  /** Failures and restarts over every run, and what the current run's end reports. */
  readonly #record = new GroupRecord();
  /** The supervisor that owns the group, told when a run ends by itself or gives up. */
  #parent: ChildParent | undefined = undefined;
  /** Its parent's path plus its name: a new frozen array on each `setParent`, never mutated. */
  #path: readonly string[];
  /** Stops the group when `options.signal` fires; listened to only while a run is in progress. */
  readonly #onParentAbort = (): void => {
    void this.stop();
  };

  /**
   * Validates every option once; starts nothing.
   *
   * @throws {InvalidOptionError} Naming `group "<name>"`, the option and the value received.
   */
  constructor(options: TaskGroupOptions) {
    this.#options = resolveGroupOptions(options);
    this.name = this.#options.name;
    this.restart = this.#options.restart;
    this.#size = this.#options.size;
    this.#events = new GroupEmitter(this.#options.owner);
    this.#path = Object.freeze([this.name]);
    this.#slots = new GroupSlots(this.#options, this.#events, this.#record, {
      path: () => this.#path,
      slotsEnded: () => this.#slotsEnded(),
      giveUp: (error) => this.#giveUp(error),
      haltSettled: () => {
        if (this.#halt !== undefined) this.#finishHalt(this.#halt);
      },
    });
  }

  /** The group's place in its supervision tree: its parent's path plus its name. */
  get path(): readonly string[] {
    return this.#path;
  }

  /** How many tasks the current (or next) run has. */
  get size(): number {
    return this.#size;
  }

  /**
   * Begins a run. No task body runs before this returns: each slot launches on a later turn of
   * the event loop. A no-op while running. During a halt (a `stop()` or a give-up still waiting
   * for its tasks), the new run begins once the halt is over, unless `stop()` is called again
   * meanwhile. With a parent `signal` that has already fired, the run stops at once.
   */
  start(): void {
    const kind = this.#state.kind;
    if (kind === 'running') return;
    if (this.#halt !== undefined) {
      this.#pendingStart = true;
      return;
    }
    this.#beginRun();
  }

  /**
   * Stops the run: requests every task's stop (its signal fires, its stop hooks run), cancels
   * every pending restart, waits up to `timeoutMs` (default `shutdownTimeoutMs`) for the tasks
   * to settle, and resolves with a report naming the tasks that did not (**abandoned**: they
   * keep running in the background, unobserved, and are never restarted). An abandoned run counts
   * as stopped from then on: its signal has fired, its stop hooks have run, and what it held from
   * a channel goes back (uncounted) before the stop resolves; its late end changes nothing.
   *
   * Never rejects and is idempotent: while a stop (or a give-up) is in progress every call
   * returns the same promise, whose deadline a shorter `timeoutMs` brings forward; once over, the
   * latest report. After it resolves the group starts nothing by itself; an explicit `start()`
   * begins a new run. Cancels a `start()` that was waiting for the halt. A run stopped this way
   * is not reported to the parent, nor is a give-up that a stop interrupted: it ends `stopped`.
   *
   * @throws {InvalidOptionError} Synchronously, when `timeoutMs` is not a number of ms from 0 to
   *   2,147,483,647; nothing is stopped then.
   */
  stop(options?: StopOptions): Promise<StopReport> {
    let timeoutMs = this.#options.shutdownTimeoutMs;
    if (options?.timeoutMs !== undefined) {
      validateTimeout(options.timeoutMs, this.#options.owner, 'timeoutMs');
      timeoutMs = options.timeoutMs;
    }

    this.#pendingStart = false;
    const halt = this.#halt;
    if (halt !== undefined) {
      // A stop during a halt waits at most its own timeout; one during a give-up takes it over,
      // so that the give-up is no longer reported to the parent, which asked for the stop.
      if (halt.reason === 'give-up') {
        halt.reason = 'stop';
        this.#state = STOPPING_STATE;
      }
      halt.shorten(timeoutMs, (expired) => this.#finishHalt(expired));
      return halt.promise;
    }
    if (this.#state.kind === 'running') {
      this.#state = STOPPING_STATE;
      return this.#beginHalt('stop', timeoutMs).promise;
    }
    return (this.#lastStop ??= Promise.resolve(NOTHING_TO_STOP));
  }

  /**
   * Runs `work` alongside the group: starts the group (if not running), waits for `work` to
   * settle, stops the group, then returns `work`'s result or rethrows its error.
   *
   * If the group gives up first, `work`'s signal (when `work` is a function) is aborted with the
   * {@link GroupGaveUpError}, the group's tasks are stopped, and `scope` rejects with that error;
   * a later rejection of `work` is ignored. A group stopped or completed meanwhile leaves `work`
   * running; the scope still stops the group at the end (a no-op then).
   */
  async scope<TResult>(
    work: Promise<TResult> | ((signal: AbortSignal) => Promise<TResult>),
  ): Promise<TResult> {
    return runInScope(this, work);
  }

  /**
   * Changes how many tasks run. Growing launches the new slots on a later turn of the event loop;
   * shrinking requests the stop of the highest slots, whose runs end *stopped* and are not
   * restarted (a `stop()` still waits for them). Outside a run, sets the size of the next run.
   * With the default intensity, the limit follows the new size and the restarts already in the
   * window still count: resizing never lets a crash loop escape its intensity.
   *
   * @throws {InvalidOptionError} When `size` is not an integer from 0 to 1,000,000.
   */
  resize(size: number): void {
    validateSize(size, this.#options.owner);
    const previous = this.#size;
    this.#size = size;
    if (this.#state.kind !== 'running' || previous === size) return;

    const limit = this.#options.intensity === undefined ? defaultIntensity(size) : undefined;
    this.#slots.resize(previous, size, limit);
  }

  /** A snapshot of the group; its objects are never mutated afterwards. */
  status(): GroupStatus {
    const status: GroupStatus = {
      name: this.name,
      path: this.#path,
      state: this.#state,
      size: this.#size,
      restart: this.restart,
      running: this.#slots.running,
      backingOff: this.#slots.backingOff,
      restarts: this.#record.restarts,
      failures: this.#record.failures,
    };
    const lastFailure = this.#record.lastFailure();
    return lastFailure === undefined ? status : { ...status, lastFailure };
  }

  /**
   * Subscribes to the group's events; returns a function that unsubscribes. Listeners run
   * synchronously, in subscription order; one that throws is reported as `hook-failed`.
   *
   * @throws {InvalidOptionError} When `listener` is not a function.
   */
  on(listener: GroupListener): () => void {
    return this.#events.on(listener);
  }

  /** Attaches the group to its parent (or detaches it); the path follows the parent's. */
  setParent(parent: ChildParent | undefined): void {
    this.#parent = parent;
    this.#path = Object.freeze(parent === undefined ? [this.name] : [...parent.path, this.name]);
  }

  #beginRun(): void {
    this.#pendingStart = false;
    this.#lastStop = undefined;
    this.#state = { kind: 'running', since: Date.now() };

    const signal = this.#options.signal;
    signal?.addEventListener('abort', this.#onParentAbort);
    this.#slots.begin(this.#size, this.#options.intensity ?? defaultIntensity(this.#size));
    if (signal?.aborted) void this.stop();
  }

  /** Every slot has ended and none will run again: the run ends, completed or failed. */
  #slotsEnded(): void {
    if (this.#state.kind !== 'running') return;

    this.#options.signal?.removeEventListener('abort', this.#onParentAbort);
    this.#state = COMPLETED_STATE;
    this.#slots.end();
    const error = this.#record.exitFailure;
    this.#notifyParent(error === undefined ? { kind: 'completed' } : { kind: 'failed', error });
  }

  #giveUp(error: GroupGaveUpError): void {
    this.#state = { kind: 'gave-up', error, at: Date.now() };
    this.#beginHalt('give-up', this.#options.shutdownTimeoutMs);
    if (this.#events.active) {
      this.#events.emit({ type: 'gave-up', group: this.name, path: this.#path, error });
    }
  }

  #beginHalt(reason: GroupHalt['reason'], timeoutMs: number): GroupHalt {
    this.#options.signal?.removeEventListener('abort', this.#onParentAbort);
    const halt = new GroupHalt(reason, this.#slots.halt());
    this.#halt = halt;
    this.#lastStop = halt.promise;
    // Stop hooks are user code; a `stop()` they call returns the halt's promise, set above.
    halt.requestStops();

    if (this.#slots.running === 0) queueMicrotask(() => this.#finishHalt(halt));
    else halt.arm(timeoutMs, (expired) => this.#finishHalt(expired));
    return halt;
  }

  #finishHalt(halt: GroupHalt): void {
    // A deadline or microtask armed for an earlier halt must not end a later one.
    if (this.#halt !== halt) return;
    this.#halt = undefined;
    const { report, abandonedRuns } = halt.conclude();
    this.#slots.haltOver();
    // Abandoned runs let go of what they hold now, before anyone hears that the stop is over.
    for (const run of abandonedRuns) run.settle(STOPPED);

    if (halt.reason === 'stop') this.#state = { kind: 'stopped', report };
    // Read before the event: a `stopped` listener may start a new run, and the parent must still
    // hear of the give-up.
    const state = this.#state;
    if (this.#events.active) {
      this.#events.emit({ type: 'stopped', group: this.name, path: this.#path, report });
    }
    halt.resolve(report);

    if (halt.reason === 'give-up' && state.kind === 'gave-up') {
      this.#notifyParent({ kind: 'failed', error: state.error });
    }
    if (this.#pendingStart) this.start();
  }

  #notifyParent(exit: ChildExit): void {
    const parent = this.#parent;
    if (parent === undefined) return;
    try {
      parent.childExited(this, exit);
    } catch (error) {
      this.#hookFailed('parent.childExited', error);
    }
  }

  #hookFailed(hook: string, error: unknown): void {
    this.#events.hookFailed({ group: this.name, path: this.#path }, hook, error);
  }
}
