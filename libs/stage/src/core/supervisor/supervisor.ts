import { DEFAULT_BACKOFF } from '../backoff/backoff.js';
import { DuplicateChildError } from '../errors/duplicate-child-error.js';
import { SupervisorGaveUpError } from '../errors/supervisor-gave-up-error.js';
import { SupervisorNotRunningError } from '../errors/supervisor-not-running-error.js';
import { toError } from '../errors/thrown-value-error.js';
import { UnknownChildError } from '../errors/unknown-child-error.js';
import { RestartIntensity } from '../group/restart-intensity.js';
import type { RestartPolicy } from '../group/restart-policy.js';
import type { StopOptions } from '../group/stop-report.js';
import type { ChildExit, ChildParent, SupervisedChild } from './child.js';
import { ChildList, msUntil } from './child-list.js';
import { assertCanOwn, own } from './child-ownership.js';
import { ChildRecord, normalizeExit, wantsRestart } from './child-record.js';
import { ChildRemovals } from './child-removals.js';
import { OwnedTimers } from './owned-timers.js';
import { STOP_REPORT_GRACE_MS } from './stop-with-deadline.js';
import { StrategyRestarts } from './strategy-restarts.js';
import { SupervisorEmitter } from './supervisor-emitter.js';
import type { ChildStartReason, ExitDecision, SupervisorListener } from './supervisor-events.js';
import {
  assertSupervisedChild,
  resolveAddChildOptions,
  resolveStopBudget,
  resolveSupervisorOptions,
  type AddChildOptions,
  type ResolvedSupervisorOptions,
  type SupervisorOptions,
} from './supervisor-options.js';
import type { SupervisorState, SupervisorStatus } from './supervisor-status.js';
import type { ChildStopReport, SupervisorStopReport } from './supervisor-stop-report.js';
import type { SupervisorStrategy } from './supervisor-strategy.js';

/** Where a supervisor is in its life; the public {@link SupervisorState} plus a stop's promise. */
type SupervisorRun =
  | Exclude<SupervisorState, { readonly kind: 'stopping' }>
  | { readonly kind: 'stopping'; readonly done: Promise<SupervisorStopReport> };

const EMPTY_REPORT: SupervisorStopReport = Object.freeze({
  settled: 0,
  abandoned: [],
  clean: true,
  children: [],
});

/**
 * Owns an ordered list of children (task groups, other supervisors, anything
 * {@link SupervisedChild}) and decides what a child's exit does to it and its siblings.
 *
 * **Start.** `start()` starts the children in order, synchronously, without running task code
 * (children start their work asynchronously; event listeners, which run synchronously, hear of
 * each start at once). A child added to a running supervisor starts at
 * once. There is no separate "failed to start" outcome: a child that fails right after being
 * started (even on the very first start) is handled like any later failure, restarted by the
 * strategy and counted against the intensity (Akka's choice; Erlang/OTP instead fails the
 * supervisor's start). A tree that cannot come up at all therefore gives up once its intensity is
 * exhausted and escalates, like any other give-up. `start()` never throws because of a child.
 *
 * **Exits.** A child that exits on its own follows its restart policy: `always` restarts it,
 * `on-failure` restarts it after a failure only, `never` leaves it ended; an ended child stays in
 * the list (its state says how it ended) and costs no restart. A restart applies the strategy
 * (see {@link SupervisorStrategy}): the children it takes are stopped in reverse start order, each
 * within its deadline, then started again in start order after the optional backoff. One
 * restart counts once against the intensity, however many children it takes; a child that fails
 * while a restart that will take it anyway is still queued (`one-for-all`, or `rest-for-one` behind
 * an earlier sibling) joins that restart and costs nothing more. A sibling with the
 * `never` policy that a restart stopped is removed, not restarted, and costs nothing. A child that
 * was stopped on purpose with {@link stopChild}, or that has ended, is not restarted because a
 * sibling failed: a sibling's crash never undoes an operator's decision.
 *
 * **Give-up.** Past its intensity the supervisor stops all its children (reverse order), then
 * escalates a {@link SupervisorGaveUpError} (carrying its path and the cause chain) to its parent,
 * which treats it as this child's failure. Without a parent it just stays `gave-up`; put the top
 * of a tree under a {@link RootSupervisor} to have give-ups handled.
 *
 * **Stop.** `stop()` stops the children in reverse start order, each within its own deadline
 * (see {@link AddChildOptions.shutdownTimeoutMs}), and reports the abandoned ones. It cancels any
 * pending restart: once it resolves, nothing restarts by itself and no timer of the supervisor
 * is left. A stop during a strategy restart or a give-up takes over from it (nothing is started
 * or escalated afterwards). It never rejects.
 *
 * **Events.** Listeners (see {@link on}) run synchronously; one that throws is reported as
 * `hook-failed` and the supervisor carries on. Every call into user code (a child's methods, the
 * parent's `childExited`, listeners) is guarded the same way.
 *
 * @example
 * const tree = new Supervisor({ name: 'billing', strategy: 'rest-for-one' });
 * tree.add(new TaskGroup({ name: 'ledger', task: runLedger }));
 * tree.add(new TaskGroup({ name: 'invoicer', task: runInvoicer }), { shutdownTimeoutMs: 10_000 });
 * tree.start();
 * // later
 * const report = await tree.stop();
 */
export class Supervisor implements SupervisedChild {
  readonly name: string;
  readonly restart: RestartPolicy;
  readonly strategy: SupervisorStrategy;

  /** The validated options; never change. */
  readonly #options: ResolvedSupervisorOptions;
  /** Where the supervisor is in its life. */
  #state: SupervisorRun = { kind: 'idle' };
  /**
   * Bumped by every start, stop and give-up. Work begun under an older value (a queued restart,
   * a backoff wait, a give-up) checks it after every wait and never acts on a later run.
   */
  #run = 0;
  /** The restart budget of the current run; reset by every start. */
  readonly #intensity: RestartIntensity;
  /** Deadlines of child stops in progress; whatever is left is cancelled when a stop ends. */
  readonly #deadlineTimers = new OwnedTimers();
  /** The children in start order, with unique names. A removed child leaves the list at once. */
  readonly #children = new ChildList(this.#deadlineTimers);
  /** Every event goes through it; it guards each listener and reports failing ones here. */
  readonly #events = new SupervisorEmitter(this, (hook, error) =>
    this.reportHookFailure(hook, error),
  );
  /** How children leave for good; a stop of the supervisor waits for the removals in progress. */
  readonly #removals = new ChildRemovals(this, this.#children, this.#events);
  /**
   * Carries out strategy restarts; each belongs to the run it was queued in. Its queue is emptied
   * by every start, stop and give-up, and its backoff waits are cancelled by a stop or a give-up.
   */
  readonly #restarts: StrategyRestarts;
  /** Set by `start()` during a stop or a give-up: the next run begins once that is over. */
  #startPending = false;
  /** Where an escalation goes; set only through `setParent()`. */
  #parent: ChildParent | undefined;
  /** What children report to. Its path is read live, so re-parenting the supervisor moves them. */
  readonly #handle: ChildParent;
  /** Child failures seen over all runs; only grows. */
  #failureCount = 0;

  /**
   * Validates `options` once; builds an idle supervisor with no children.
   *
   * @throws {InvalidOptionError} naming `supervisor "<name>"`, the option and the value received.
   */
  constructor(options: SupervisorOptions) {
    this.#options = resolveSupervisorOptions(options);
    this.name = this.#options.name;
    this.restart = this.#options.restart;
    this.strategy = this.#options.strategy;
    this.#intensity = new RestartIntensity(this.#options.intensity, this.#options.owner);
    this.#restarts = new StrategyRestarts({
      strategy: this.strategy,
      backoff: this.#options.backoff,
      children: this.#children,
      removals: this.#removals,
      events: this.#events,
      isCurrent: (run) => this.#isCurrent(run),
      startAgain: (record) => this.#startRecord(record, 'restart'),
    });
    const pathOf = (): readonly string[] => this.path;
    this.#handle = {
      get path() {
        return pathOf();
      },
      childExited: (child, exit) => this.#onChildExited(child, exit),
    };
  }

  /** The supervisor's path: its parent's path plus its own name. */
  get path(): readonly string[] {
    return this.#parent === undefined ? [this.name] : [...this.#parent.path, this.name];
  }

  /** The names of the children, in start order. */
  get children(): readonly string[] {
    return this.#children.names;
  }

  /**
   * Starts a new run: every child, in order. Does nothing while running. Called during a stop or
   * a give-up, the new run begins as soon as that is over, unless `stop()` is called again
   * meanwhile (the last call wins). Runs no task code synchronously; a child's failure never
   * makes it throw (see the class notes on the first start).
   */
  start(): void {
    const { kind } = this.#state;
    if (kind === 'running') return;
    if (kind === 'stopping' || kind === 'giving-up') {
      this.#startPending = true;
      return;
    }

    const run = this.#nextRun();
    this.#startPending = false;
    this.#intensity.reset();
    for (const record of this.#children.snapshot()) record.resetForRun();
    this.beforeRun();
    this.#state = { kind: 'running', since: Date.now() };
    this.#events.emit({ type: 'started' });

    for (const record of this.#children.snapshot()) {
      if (!this.#isCurrent(run)) return;
      if (!record.removed) this.#startRecord(record, 'start');
    }
  }

  /**
   * Stops the children in reverse start order and reports how each stop went. Never rejects;
   * calling it again while stopping returns the same report, and after the stop the last one.
   *
   * @param options `timeoutMs` caps the whole stop: each child then gets the smaller of its own
   * deadline and what is left (0 once it is spent, which asks it to stop at once and reports
   * what still runs as abandoned). Without it, each child stops within its own deadline.
   * @throws {InvalidOptionError} synchronously, when `timeoutMs` is not a valid number of ms.
   */
  stop(options?: StopOptions): Promise<SupervisorStopReport> {
    const budgetMs = resolveStopBudget(options, this.#options.owner);
    const state = this.#state;
    // The last call wins: a start() made during this stop is cancelled by this later stop().
    this.#startPending = false;
    if (state.kind === 'stopping') return state.done;
    if (state.kind === 'stopped') return Promise.resolve(state.report);
    if (state.kind === 'idle') return Promise.resolve(EMPTY_REPORT);

    const run = this.#nextRun();
    this.#restarts.cancelWaits();
    const done = this.#stopAll(budgetMs, run);
    this.#state = { kind: 'stopping', done };
    return done;
  }

  /**
   * Attaches the supervisor to its parent, or detaches it with `undefined`. Its children are
   * attached again, so that those that compute their path once (groups do) follow the move.
   */
  setParent(parent: ChildParent | undefined): void {
    this.#parent = parent;
    for (const record of this.#children.snapshot()) {
      try {
        record.child.setParent(this.#handle);
      } catch (error) {
        this.reportHookFailure(`${record.name}.setParent`, error);
      }
    }
  }

  /**
   * Adds `child` at the end of the list. In a running supervisor it starts at once; otherwise it
   * starts with the next run.
   *
   * @throws {DuplicateChildError} when a child of that name is already in the list.
   * @throws {InvalidOptionError} when `child` is not a supervised child or an option is invalid;
   * when `child` already belongs to another supervisor (remove it there first: a child reports
   * its exits to one parent only); when `child` is this supervisor or one above it (the tree
   * would loop). Nothing is changed then.
   * @throws whatever the child's `setParent()` throws; nothing is added then.
   */
  add(child: SupervisedChild, options?: AddChildOptions): void {
    const owner = this.#options.owner;
    assertSupervisedChild(child, owner);
    assertCanOwn(this, child, owner);
    const { shutdownTimeoutMs } = resolveAddChildOptions(options, owner);
    if (this.#children.named(child.name) !== undefined) {
      throw new DuplicateChildError(this.path, child.name);
    }

    child.setParent(this.#handle);
    own(this, child);
    const record = new ChildRecord(child, shutdownTimeoutMs);
    this.#children.push(record);
    this.#events.emit({ type: 'child-added', child: child.name });
    if (this.#state.kind === 'running' && !record.removed) this.#startRecord(record, 'add');
  }

  /**
   * Takes the child named `name` out of the list at once (so the name can be reused, and the
   * child added again, here or elsewhere), stops it within its deadline, then detaches it unless
   * it was added again meanwhile. A strategy restart in progress leaves it alone.
   *
   * @returns how its stop went (a child never started in this run is reported stopped at once).
   * @throws {UnknownChildError} (as a rejection) when there is no such child.
   */
  remove(name: string): Promise<ChildStopReport> {
    const record = this.#children.named(name);
    if (record === undefined) return Promise.reject(this.#unknownChild(name));
    return this.#removals.remove(record);
  }

  /**
   * Stops one child on purpose, within its deadline. It stays in the list, stopped: no strategy
   * restart starts it again (not even a one-for-all restart caused by a sibling) until
   * {@link startChild} or the supervisor's next run. Its stop is not a failure and costs nothing.
   *
   * @throws {UnknownChildError} (as a rejection) when there is no such child.
   */
  async stopChild(name: string): Promise<ChildStopReport> {
    const record = this.#find(name);
    record.stopRequests += 1;
    const { kind } = record.state;
    if (kind === 'idle' || kind === 'stopping') return this.#children.stop(record);

    const report = await this.#children.stop(record);
    this.#events.emit({ type: 'child-stopped', child: name, reason: 'stop-child', report });
    return report;
  }

  /**
   * Starts a child that was stopped on purpose or has ended, in the running supervisor; waits
   * for a stop of it in progress first, and starts nothing if `stopChild` is called for it
   * meanwhile (the last call wins). Does nothing for a child that is running or restarting. Not
   * counted against the intensity.
   *
   * @throws {UnknownChildError} (as a rejection) when there is no such child.
   * @throws {SupervisorNotRunningError} (as a rejection) when the supervisor is not running, or
   * stopped while the child's stop was awaited.
   */
  async startChild(name: string): Promise<void> {
    const record = this.#find(name);
    const run = this.#run;
    this.#assertRunning(name, run);
    const stopRequests = record.stopRequests;
    if (record.state.kind === 'stopping') await record.state.done;
    this.#assertRunning(name, run);
    // A stopChild() made while this call waited is later, and wins.
    if (record.stopRequests !== stopRequests) return;

    const { kind } = record.state;
    if (!record.removed && (kind === 'stopped' || kind === 'ended' || kind === 'idle')) {
      this.#startRecord(record, 'start-child');
    }
  }

  /** A snapshot of the supervisor and, recursively, of its children. */
  status(): SupervisorStatus {
    const state = this.#state;
    return {
      kind: 'supervisor',
      name: this.name,
      path: this.path,
      strategy: this.strategy,
      restart: this.restart,
      state: state.kind === 'stopping' ? { kind: 'stopping' } : state,
      restarts: this.#restarts.count,
      failures: this.#failureCount,
      children: this.#children.snapshot().map((record) => record.status()),
    };
  }

  /**
   * Subscribes `listener` to the supervisor's events; returns a function that unsubscribes it.
   * Listeners run synchronously; one that throws is reported as `hook-failed`.
   *
   * @throws InvalidOptionError when `listener` is not a function.
   */
  on(listener: SupervisorListener): () => void {
    return this.#events.on(listener);
  }

  /**
   * Called for a child exit whose restart policy asks for a restart, before anything is counted.
   * Returning `true` takes the failure over: the child is left ended, nothing is counted, and the
   * exit is reported with the decision `shutdown`. The root overrides it for `onGiveUp`.
   */
  protected handOver(_child: SupervisedChild, _exit: ChildExit): boolean {
    return false;
  }

  /** Called at the beginning of every run, before any child starts. */
  protected beforeRun(): void {}

  /** Reports that user code called by the supervisor (or a subclass) threw; never throws. */
  protected reportHookFailure(hook: string, error: unknown): void {
    this.#events.emit({ type: 'hook-failed', hook, error: toError(error) });
  }

  #isCurrent(run: number): boolean {
    return this.#run === run && this.#state.kind === 'running';
  }

  #find(name: string): ChildRecord {
    const record = this.#children.named(name);
    if (record === undefined) throw this.#unknownChild(name);
    return record;
  }

  #unknownChild(name: string): UnknownChildError {
    return new UnknownChildError(this.path, name, this.children);
  }

  #assertRunning(child: string, run: number): void {
    if (!this.#isCurrent(run)) {
      throw new SupervisorNotRunningError(this.path, child, this.#state.kind);
    }
  }

  #startRecord(record: ChildRecord, reason: ChildStartReason): void {
    record.state = { kind: 'running', since: Date.now() };
    record.startedAt = performance.now();
    if (reason === 'restart') record.restarts += 1;
    try {
      record.child.start();
    } catch (error) {
      // A start that throws breaks the child contract; it counts as that child's failure.
      const exit: ChildExit = { kind: 'failed', error: toError(error) };
      queueMicrotask(() => this.#onChildExited(record.child, exit));
    }
    this.#events.emit({ type: 'child-started', child: record.name, reason });
  }

  #onChildExited(child: SupervisedChild, reported: ChildExit): void {
    const record = this.#children.of(child);
    if (record === undefined) return; // removed meanwhile, or not ours: nothing to act on

    const exit = normalizeExit(reported);
    // Wall clock for the times shown in status; the monotonic clock for every interval, so that a
    // clock set back or forward cannot stretch or shrink the intensity window or the backoff reset.
    const at = Date.now();
    const now = performance.now();
    if (exit.kind === 'failed') {
      this.#failureCount += 1;
      record.lastFailure = { error: exit.error, at };
    }

    if (this.#state.kind !== 'running' || record.state.kind !== 'running') {
      this.#emitExit(record, exit, 'absorbed');
      return;
    }
    if (!wantsRestart(child.restart, exit)) {
      record.state = { kind: 'ended', exit, at };
      this.#emitExit(record, exit, 'ended');
      return;
    }
    if (this.handOver(child, exit)) {
      record.state = { kind: 'ended', exit, at };
      this.#emitExit(record, exit, 'shutdown');
      return;
    }

    record.countExit(now, this.#options.backoff?.resetAfterMs ?? DEFAULT_BACKOFF.resetAfterMs);
    // A restart already queued that will take this child anyway is the one that recovers it.
    const joinsQueued = this.#restarts.takesAlong(record);
    record.state = { kind: 'failed', exit, at };
    if (!joinsQueued && !this.#intensity.tryRecord(now)) {
      this.#giveUp(record, exit);
      return;
    }
    const run = this.#run;
    this.#emitExit(record, exit, 'restart');
    this.#restarts.enqueue(record, run);
  }

  #emitExit(record: ChildRecord, exit: ChildExit, decision: ExitDecision): void {
    this.#events.emit({ type: 'child-exited', child: record.name, exit, decision });
  }

  /** Begins a new run (a start, a stop or a give-up); work of older runs sees it and stops. */
  #nextRun(): number {
    this.#run += 1;
    this.#restarts.forgetQueued();
    return this.#run;
  }

  #giveUp(record: ChildRecord, exit: ChildExit): void {
    const intensity = this.#options.intensity;
    if (intensity === false) return; // unreachable: no limit never refuses a restart
    const error = new SupervisorGaveUpError({
      path: this.path,
      child: record.child.path,
      exit,
      intensity,
    });
    const run = this.#nextRun();
    this.#restarts.cancelWaits();
    this.#state = { kind: 'giving-up', error };
    this.#emitExit(record, exit, 'escalate');
    this.#events.emit({ type: 'intensity-exceeded', error });
    void this.#finishGiveUp(error, run);
  }

  async #finishGiveUp(error: SupervisorGaveUpError, run: number): Promise<void> {
    // Never stop a child from inside its own `childExited` call.
    await Promise.resolve();
    const report = await this.#children.stopAll(undefined, () => this.#run === run);
    if (this.#run !== run) return; // a stop took over

    this.#state = { kind: 'gave-up', error, at: Date.now(), report };
    const parent = this.#parent;
    this.#events.emit({ type: 'escalated', error, to: parent?.path, report });
    if (this.#run !== run) return; // a listener stopped or restarted the supervisor
    if (parent !== undefined) {
      try {
        parent.childExited(this, { kind: 'failed', error });
      } catch (hookError) {
        this.reportHookFailure('parent.childExited', hookError);
      }
    }
    if (this.#startPending && this.#run === run) this.start();
  }

  /** Waits for the removals under way, until `deadline` (and its grace) at the latest. */
  async #removalsWithin(deadline: number | undefined): Promise<void> {
    const removals = this.#removals.settled();
    if (deadline === undefined) {
      await removals;
      return;
    }
    const wait = this.#deadlineTimers.wait(msUntil(deadline) + STOP_REPORT_GRACE_MS);
    await Promise.race([removals, wait.done]);
    wait.cancel();
  }

  async #stopAll(budgetMs: number | undefined, run: number): Promise<SupervisorStopReport> {
    // On the monotonic clock, so that a wall clock set back or forward cannot stretch the budget.
    const deadline = budgetMs === undefined ? undefined : performance.now() + budgetMs;
    // Never stop a child from inside its own `childExited` call (a listener may call `stop()`).
    await Promise.resolve();
    const report = await this.#children.stopAll(deadline, () => this.#run === run);
    await this.#removalsWithin(deadline);
    // Deadlines armed by a restart this stop interrupted, or by a removal still under way: those
    // end now, reported `timed-out`.
    this.#deadlineTimers.cancelAll();

    this.#state = { kind: 'stopped', report };
    this.#events.emit({ type: 'stopped', report });
    if (this.#startPending && this.#run === run) this.start();
    return report;
  }
}
