import { directStartOf } from './direct-task.js';
import type { GroupEmitter } from './group-emitter.js';
import type { GroupRecord } from './group-record.js';
import type { ResolvedGroupOptions } from './resolve-group-options.js';
import { RestartIntensity } from './restart-intensity.js';
import type { RestartPolicy } from './restart-policy.js';
import type { TaskFn, TaskOutcome } from './task-context.js';
import { COMPLETED, failure, isThenable, runFulfilled, runRejected } from './task-result.js';
import type { IntensityOptions } from './task-group-options.js';
import { TaskRun, type TaskRunOwner } from './task-run.js';
import { TaskSlot } from './task-slot.js';
import type { Backoff } from '../backoff/backoff.js';
import { GroupGaveUpError } from '../errors/group-gave-up-error.js';

const STOPPED: TaskOutcome = Object.freeze({ kind: 'stopped' });

/** The group whose slots these are, as the slots see it. Each member is called synchronously. */
export interface SlotsOwner {
  /** The group's place in its supervision tree now (it follows the group's parent). */
  readonly path: () => readonly string[];
  /** Every slot of the run has ended and none will run again: the run ends by itself. */
  readonly slotsEnded: () => void;
  /** The restart intensity was exceeded while a slot decided its restart: the group gives up. */
  readonly giveUp: (error: GroupGaveUpError) => void;
  /** During a halt, the last run the halt waited for has settled. */
  readonly haltSettled: () => void;
}

/**
 * The slots of a group's current run, and each slot's cycle: launch its task on a later turn of
 * the event loop, settle the run, then decide by the restart policy and the restart intensity
 * whether to launch it again after a backoff, end it, or make the group give up. Also what a
 * resize adds and retires, and what a halt collects. It owns every run it launches (see
 * {@link TaskRunOwner}): a run's end comes back here, once. Internal to the group, which owns the
 * run's lifecycle and documents the behaviour (see `TaskGroup`).
 *
 * **Cancellation.** A slot retired by a shrink or a halt launches nothing more: its pending timer
 * is cleared, and a timer that fires anyway finds the slot `retired`. Its run in progress is asked
 * to stop (by {@link resize}, or by the halt) and settles *stopped*.
 *
 * **Restart.** A restart reuses the slot (same index, next attempt) and allocates only its
 * `TaskRun`; the timer callback is shared, with no closure per restart. A new run of the group
 * builds new slots, so a timer armed in an earlier run only ever finds a retired slot.
 *
 * **Failure.** User code (listeners, the backoff's random source, a failure's message) may stop,
 * start or resize the group from inside any step: each step checks the slot's phase after user
 * code ran, and the call made there wins. A defect here is reported as `hook-failed`, never
 * thrown into a timer or a promise callback.
 */
export class GroupSlots implements TaskRunOwner {
  readonly #owner: SlotsOwner;
  readonly #name: string;
  /** The task function, read once so that it is called without a `this`. */
  readonly #task: TaskFn;
  readonly #restart: RestartPolicy;
  readonly #backoff: Backoff;
  /** The group's listeners; events are built only while one listens. */
  readonly #events: GroupEmitter;
  /** Where failures and restarts are counted, for the group's status and its run's end. */
  readonly #record: GroupRecord;
  /** The current run's slots, by index; empty when no run is in progress. */
  #slots: TaskSlot[] = [];
  /**
   * Slots removed by a shrink whose run is still in progress; the group still waits for them. A
   * set, so that forgetting one is O(1) when a shrink of thousands of slots settles.
   */
  #retiring = new Set<TaskSlot>();
  /**
   * Runs in progress the group waits for: those of `#slots`, of `#retiring` and, during a halt, of
   * the slots it waits for. A run is tracked while its slot's `run` points to it.
   */
  #running = 0;
  /** Slots of the current run that will run again: launching, running or deciding. */
  #live = 0;
  /** The current run's restart window. */
  #intensity = new RestartIntensity(false);
  /** The limit of `#intensity`, named by the error of a give-up. */
  #limit: IntensityOptions | false = false;
  /**
   * Set while the group halts (from {@link halt} to {@link haltOver}): every slot is retired, and
   * the last tracked run to settle ends the halt.
   */
  #halting = false;
  constructor(
    options: ResolvedGroupOptions,
    events: GroupEmitter,
    record: GroupRecord,
    owner: SlotsOwner,
  ) {
    this.#owner = owner;
    this.#name = options.name;
    this.#task = options.task;
    this.#restart = options.restart;
    this.#backoff = options.backoff;
    this.#events = events;
    this.#record = record;
  }

  /** Runs in progress that the group waits for. */
  get running(): number {
    return this.#running;
  }

  /** Slots waiting out a backoff before a restart (not a zero wait). */
  get backingOff(): number {
    return this.#slots.reduce(
      (count, slot) => (slot.phase === 'launching' && !slot.timerIsImmediate ? count + 1 : count),
      0,
    );
  }

  /** Begins a run of `size` slots, each launched on a later turn, with a fresh restart window. */
  begin(size: number, limit: IntensityOptions | false): void {
    this.#intensity = new RestartIntensity(limit);
    this.#limit = limit;
    this.#slots = [];
    this.#live = 0;
    this.#record.beginRun();
    for (let index = 0; index < size; index++) this.#open(index);
  }

  /**
   * Resizes the current run from `previous` slots to `size`: opens the new slots, retires the
   * highest ones and requests the stop of their runs. A new `limit` keeps the restarts already in
   * the window.
   */
  resize(previous: number, size: number, limit: IntensityOptions | undefined): void {
    if (limit !== undefined) {
      this.#intensity = this.#intensity.withLimit(limit);
      this.#limit = limit;
    }
    for (let index = previous; index < size; index++) this.#open(index);
    const stopping: TaskRun[] = [];
    for (let index = previous - 1; index >= size; index--) {
      const slot = this.#slots[index]!;
      if (slot.shrink()) this.#live--;
      if (slot.phase !== 'retiring') continue;
      // Its run goes on until it settles: the group still waits for it.
      this.#retiring.add(slot);
      stopping.push(slot.run!);
    }
    this.#slots.length = size;
    // Stop requests run user code (abort listeners, stop hooks) that may call back into the group
    // (stop, start, resize): they run once the slots are consistent, and a call they make wins.
    for (const run of stopping) run.requestStop();
    this.#checkEnded();
  }

  /** The run ended by itself: its slots are forgotten. */
  end(): void {
    this.#slots = [];
  }

  /**
   * The group halts: retires every slot, clears pending launches, and returns the slots whose
   * runs are still in progress, for the halt to wait for. Their runs stay tracked until they
   * settle or the halt is over.
   */
  halt(): TaskSlot[] {
    const waiting = [...this.#retiring];
    for (const slot of this.#slots) {
      slot.clearTimer();
      slot.phase = 'retired';
      if (slot.run !== undefined) waiting.push(slot);
    }
    this.#slots = [];
    this.#retiring = new Set();
    this.#live = 0;
    this.#halting = true;
    return waiting;
  }

  /** The halt is over: the runs it abandoned are no longer tracked. */
  haltOver(): void {
    this.#halting = false;
    this.#running = 0;
  }

  // ---- What the runs report (TaskRunOwner) -------------------------------------------------

  /** A user callback registered on a run threw: reported as `hook-failed`. */
  reportHookFailure(hook: string, error: unknown): void {
    this.#events.hookFailed({ group: this.#name, path: this.#owner.path() }, hook, error);
  }

  /**
   * Settles a run; a throw (a defect of the group, never user code, which is guarded where it is
   * called) is reported instead of escaping into a timer or a promise callback.
   */
  runEnded(slot: unknown, run: TaskRun, ending: TaskOutcome): void {
    try {
      this.#settle(slot as TaskSlot, run, ending);
    } catch (error) {
      this.reportHookFailure('task-group', error);
    }
  }

  // ---- A slot's cycle ------------------------------------------------------------------------

  #open(index: number): void {
    const slot = new TaskSlot(index);
    this.#slots[index] = slot;
    this.#live++;
    this.#schedule(slot, 0);
  }

  #schedule(slot: TaskSlot, delayMs: number): void {
    slot.phase = 'launching';
    slot.timerIsImmediate = delayMs === 0;
    slot.timer =
      delayMs === 0
        ? setImmediate(GroupSlots.#launchLater, this, slot)
        : setTimeout(GroupSlots.#launchLater, delayMs, this, slot);
  }

  static #launchLater(this: void, slots: GroupSlots, slot: TaskSlot): void {
    try {
      slots.#launch(slot);
    } catch (error) {
      // In a timer a throw would crash the process; only a defect of the group can land here.
      slots.reportHookFailure('task-group', error);
    }
  }

  #launch(slot: TaskSlot): void {
    // A retired slot belongs to a run that was stopped, or to a shrunk index: it launches nothing.
    if (slot.phase !== 'launching') return;
    slot.timer = undefined;
    slot.attempt++;
    const run = new TaskRun(slot.index, slot.attempt, this.#name, this, slot);
    slot.phase = 'running';
    slot.run = run;
    slot.startedAt = performance.now();
    this.#running++;

    if (this.#events.active) {
      this.#events.emit({
        type: 'started',
        group: this.#name,
        path: this.#owner.path(),
        index: slot.index,
        attempt: run.attempt,
      });
    }
    // A listener of `started` may already have stopped the group: the body is not called then.
    if (run.stopRequested) {
      this.runEnded(slot, run, STOPPED);
      return;
    }
    // The task is called here, not through a helper: that one more call measured about 6% fewer
    // restarts per second.
    try {
      const task = this.#task;
      const direct = directStartOf(task);
      if (direct !== undefined) {
        // Stage's own task (handler mode): no promise per run; it reports through the run.
        direct(run, run);
        return;
      }
      const result = task(run);
      if (!isThenable(result)) {
        this.runEnded(slot, run, COMPLETED);
        return;
      }
      // `then` is user code even on a promise (a subclass, a patched instance): a throw fails
      // the run. The handlers are shared and bound to the run (see `task-result.ts`).
      const promise = result instanceof Promise ? result : Promise.resolve(result);
      promise.then(runFulfilled.bind(run), runRejected.bind(run));
    } catch (error) {
      this.runEnded(slot, run, failure(error));
    }
  }

  #settle(slot: TaskSlot, run: TaskRun, ended: TaskOutcome): void {
    if (run.outcome !== undefined) return;
    const outcome = run.stopRequested ? STOPPED : ended;
    run.settle(outcome);
    // A run abandoned by a finished halt is no longer the group's: its hooks ran, nothing else.
    if (slot.run !== run) return;
    slot.run = undefined;
    this.#running--;

    const wasRunning = slot.phase === 'running';
    if (wasRunning) slot.phase = 'deciding';
    else if (slot.phase === 'retiring') this.#retire(slot);

    if (outcome.kind === 'failed') this.#record.failed(run, outcome.error);
    if (this.#events.active) this.#events.outcome(this.#name, this.#owner.path(), run, outcome);

    if (this.#halting) {
      if (this.#running === 0) this.#owner.haltSettled();
      return;
    }
    // A listener may have shrunk the group or stopped it meanwhile: then the slot is retired.
    if (!wasRunning || slot.phase !== 'deciding') {
      this.#checkEnded();
      return;
    }
    this.#decide(slot, outcome);
  }

  #decide(slot: TaskSlot, outcome: TaskOutcome): void {
    const failed = outcome.kind === 'failed';
    if (this.#restart === 'never' || (!failed && this.#restart === 'on-failure')) {
      slot.phase = 'ended';
      // Sticky for the run: the end reports a failure if any slot's last run failed.
      if (failed) this.#record.endedWithFailure = true;
      this.#live--;
      this.#checkEnded();
      return;
    }

    const now = performance.now();
    const backoff = this.#backoff;
    let failures = 0;
    if (failed) failures = now - slot.startedAt >= backoff.resetAfterMs ? 1 : slot.failures + 1;
    slot.failures = failures;

    if (!this.#intensity.tryRecord(now)) {
      const error = this.#gaveUpError();
      // Building the error read the failure's message, which is user code, as is the random
      // source below: either may have stopped, shrunk or restarted the group. Its call wins.
      if (slot.phase === 'deciding') this.#owner.giveUp(error);
      else this.#checkEnded();
      return;
    }

    const delayMs = failures === 0 ? backoff.minMs : this.#delayFor(failures);
    if (slot.phase !== 'deciding') {
      this.#checkEnded();
      return;
    }
    this.#record.restarts++;
    this.#schedule(slot, delayMs);
    if (this.#events.active) {
      this.#events.emit({
        type: 'restarting',
        group: this.#name,
        path: this.#owner.path(),
        index: slot.index,
        attempt: slot.attempt + 1,
        delayMs,
        failures,
      });
    }
  }

  #delayFor(failures: number): number {
    const backoff = this.#backoff;
    try {
      return backoff.delay(failures);
    } catch (error) {
      this.reportHookFailure('backoff.random', error);
      return backoff.floor(failures);
    }
  }

  /** The group's error for a give-up now. */
  #gaveUpError(): GroupGaveUpError {
    return new GroupGaveUpError({
      group: this.#name,
      path: this.#owner.path(),
      limit: this.#limit as IntensityOptions,
      cause: this.#record.runFailure,
    });
  }

  /** Forgets a shrunk slot whose run has settled. */
  #retire(slot: TaskSlot): void {
    slot.phase = 'retired';
    this.#retiring.delete(slot);
  }

  /** Tells the group once its run has slots, none of them will run again, and no run is left. */
  #checkEnded(): void {
    if (this.#live !== 0 || this.#slots.length === 0 || this.#running !== 0) return;
    this.#owner.slotsEnded();
  }
}
