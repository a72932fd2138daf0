import type { Backoff } from '../backoff/backoff.js';
import type { ChildList } from './child-list.js';
import type { ChildRecord } from './child-record.js';
import type { ChildRemovals } from './child-removals.js';
import { OwnedTimers } from './owned-timers.js';
import type { SupervisorEmitter } from './supervisor-emitter.js';
import { selectRestartTargets, type SupervisorStrategy } from './supervisor-strategy.js';

/** What the strategy restarts of one supervisor work with; given once, at construction. */
export interface StrategyRestartsOptions {
  readonly strategy: SupervisorStrategy;
  /** The wait before a restart starts its children again, or `undefined` for none. */
  readonly backoff: Backoff | undefined;
  /** The supervisor's children, in start order. */
  readonly children: ChildList;
  /** Takes out the siblings with the `never` policy that a restart stopped. */
  readonly removals: ChildRemovals;
  readonly events: SupervisorEmitter;
  /** Whether `run` is still the supervisor's current run, and the supervisor is running. */
  readonly isCurrent: (run: number) => boolean;
  /** Starts a child that a restart took, again (counting its restart). */
  readonly startAgain: (record: ChildRecord) => void;
}

/**
 * The strategy restarts of one supervisor. The supervisor decides that a failed child is
 * restarted (its policy, its intensity); this carries the restart out: the strategy picks the
 * children it takes, they are stopped in reverse start order, each within its deadline, then
 * started again in start order after the backoff. Internal.
 *
 * **Ordering.** The stopping phases of restarts run one after the other, so that two restarts
 * never stop the same children at once; backoff waits run outside that order, so that one child's
 * long wait delays no other. A child belongs to the latest restart that took it; only that restart
 * starts it again. A child that fails while a restart that will take it anyway is still queued
 * joins that restart (see {@link takesAlong}).
 *
 * **Cancellation.** Every restart belongs to a run of the supervisor and checks it after each wait:
 * once the supervisor stops, gives up or starts a new run, an older restart does nothing more.
 * {@link cancelWaits} ends the backoff waits at once, so that no timer outlives a stop.
 *
 * **Failure.** Nothing here rejects: a random source that throws falls back to the backoff's
 * floor, and any defect is reported as `hook-failed` (hook `restart`).
 */
export class StrategyRestarts {
  /** Picks the children each restart takes; never changes. */
  readonly #strategy: SupervisorStrategy;
  /** The wait before starting again, or `undefined` for none; never changes. */
  readonly #backoff: Backoff | undefined;
  /** The supervisor's children; read afresh (a snapshot) at every phase. */
  readonly #children: ChildList;
  /** Takes out the siblings with the `never` policy instead of starting them again. */
  readonly #removals: ChildRemovals;
  /** Where `restarting` and `child-stopped` go, and failing hooks are reported. */
  readonly #events: SupervisorEmitter;
  /** Checked after every wait: a restart never acts on a later run of the supervisor. */
  readonly #isCurrent: (run: number) => boolean;
  /** Starts a child that a restart took, again. */
  readonly #startAgain: (record: ChildRecord) => void;
  /**
   * Serialises the stopping phases, so that two restarts never stop the same children at once.
   * Backoff waits happen outside it: one child's long wait delays no other.
   */
  #stoppingPhases: Promise<void> = Promise.resolve();
  /**
   * The failed children whose restart is queued in the current run and has not begun yet;
   * emptied by {@link forgetQueued} at every start, stop and give-up of the supervisor.
   */
  readonly #queued: ChildRecord[] = [];
  /** Numbers the restarts; a child belongs to the latest restart that took it. */
  #sequence = 0;
  /** Restarts begun over all runs; only grows. */
  #count = 0;
  /** Backoff waits before restarts; all cancelled by {@link cancelWaits}. */
  readonly #backoffTimers = new OwnedTimers();

  constructor(options: StrategyRestartsOptions) {
    this.#strategy = options.strategy;
    this.#backoff = options.backoff;
    this.#children = options.children;
    this.#removals = options.removals;
    this.#events = options.events;
    this.#isCurrent = options.isCurrent;
    this.#startAgain = options.startAgain;
  }

  /** How many restarts began, over all runs of the supervisor. */
  get count(): number {
    return this.#count;
  }

  /**
   * Whether a restart queued in this run, and not begun, will take `record` along: under
   * `one-for-all` any of them; under `rest-for-one` one for a child started before it.
   */
  takesAlong(record: ChildRecord): boolean {
    if (this.#strategy === 'one-for-one' || this.#queued.length === 0) return false;
    const children = this.#children.snapshot();
    const index = children.indexOf(record);
    return this.#queued.some(
      (queued) =>
        queued !== record &&
        !queued.removed &&
        queued.state.kind === 'failed' &&
        (this.#strategy === 'one-for-all' || children.indexOf(queued) < index),
    );
  }

  /**
   * Queues a restart for `failed`, whose state is `failed`, in `run`. Queued even when it joins
   * another restart: a no-op once that restart has taken it, and a restart of its own should that
   * one never begin (its child removed or stopped meanwhile).
   */
  enqueue(failed: ChildRecord, run: number): void {
    this.#queued.push(failed);
    this.#stoppingPhases = this.#stoppingPhases
      .then(() => this.#restart(failed, run))
      .catch((error: unknown) => this.#events.reportHookFailure('restart', error));
  }

  /** Forgets the queued restarts, at the start of a new run; they would find their run gone. */
  forgetQueued(): void {
    this.#queued.length = 0;
  }

  /** Ends every backoff wait at once; the restarts waiting start nothing. */
  cancelWaits(): void {
    this.#backoffTimers.cancelAll();
  }

  /** The stopping phase of a restart; runs in the order of the stopping phases. */
  async #restart(failed: ChildRecord, run: number): Promise<void> {
    const queuedAt = this.#queued.indexOf(failed);
    if (queuedAt >= 0) this.#queued.splice(queuedAt, 1);
    if (!this.#isCurrent(run) || failed.removed || failed.state.kind !== 'failed') return;

    const restart = ++this.#sequence;
    const now = performance.now();
    const children = this.#children.snapshot();
    const index = children.indexOf(failed);
    const targets = selectRestartTargets(this.#strategy, children, index, (r) => r.live);
    const toStop = targets.filter((t) => t.state.kind === 'running' || t.state.kind === 'failed');
    let delayMs = this.#delayFor(failed);
    for (const target of targets) {
      // A child taken over from an earlier restart keeps at least the rest of its wait.
      if (target.state.kind === 'restarting' && target.state.restartDue !== undefined) {
        delayMs = Math.max(delayMs, target.state.restartDue - now);
      }
    }
    for (const target of targets) {
      const { state } = target;
      const failure =
        state.kind === 'failed' && state.exit.kind === 'failed'
          ? { error: state.exit.error, at: state.at }
          : state.kind === 'restarting'
            ? state.failure
            : undefined;
      target.state = { kind: 'restarting', restart, ...(failure === undefined ? {} : { failure }) };
    }
    this.#count += 1;
    this.#events.emit({
      type: 'restarting',
      strategy: this.#strategy,
      child: failed.name,
      children: targets.map((target) => target.name),
      delayMs,
      failures: failed.failures,
    });

    for (const target of toStop.reverse()) {
      if (!this.#isCurrent(run)) return;
      if (!target.isTakenBy(restart)) continue; // stopped on purpose or removed meanwhile
      const report = await this.#children.stopForRestart(target);
      if (this.#isCurrent(run) && (report.kind !== 'stopped' || !report.report.clean)) {
        this.#events.emit({ type: 'child-stopped', child: target.name, reason: 'restart', report });
      }
    }
    if (!this.#isCurrent(run)) return;

    const restartAt = Date.now() + delayMs;
    const restartDue = performance.now() + delayMs;
    for (const target of targets) {
      if (!target.isTakenBy(restart)) continue;
      if (target !== failed && target.child.restart === 'never') {
        this.#removals.dropNeverRestarted(target);
        continue;
      }
      if (target.state.kind === 'restarting') {
        target.state = { ...target.state, restartAt, restartDue };
      }
    }
    void this.#startAfterWait(restart, run, delayMs);
  }

  /** The starting phase of a restart: after the backoff, in start order. */
  async #startAfterWait(restart: number, run: number, delayMs: number): Promise<void> {
    const elapsed = await this.#backoffTimers.wait(delayMs).done;
    if (!elapsed) return;
    for (const record of this.#children.snapshot()) {
      if (!this.#isCurrent(run)) return;
      if (record.isTakenBy(restart)) this.#startAgain(record);
    }
  }

  /** The wait before restarting `record`; a throwing random source falls back to the floor. */
  #delayFor(record: ChildRecord): number {
    const backoff = this.#backoff;
    if (backoff === undefined) return 0;
    try {
      return backoff.delay(record.failures);
    } catch (error) {
      this.#events.reportHookFailure('backoff.random', error);
      return backoff.floor(record.failures);
    }
  }
}
