import type { GroupStatus } from '../core/group/group-status.js';
import type { StopOptions, StopReport } from '../core/group/stop-report.js';
import type { TaskGroup } from '../core/group/task-group.js';
import type { GroupHealth, GroupInfo } from './group-info.js';
import type { RootRestartBackoff } from './stage-module-options.js';

/**
 * Where a group stands with the application's root policy. Unlike {@link GroupHealth} it holds
 * the pending restart's timer, which only this class may clear.
 */
type RootState =
  | { readonly kind: 'healthy' }
  | {
      readonly kind: 'restart-pending';
      readonly error: Error;
      readonly gaveUpAt: number;
      readonly restartAt: number;
      readonly giveUps: number;
      readonly timer: NodeJS.Timeout;
    }
  | { readonly kind: 'gave-up'; readonly error: Error; readonly gaveUpAt: number };

/** How a managed group is started by the application's lifecycle. */
export type LaunchMode =
  /** In its owner's `onApplicationBootstrap`, after the owner's own hook. */
  | 'with-owner'
  /** In Stage's own bootstrap, or at once when the application already runs. */
  | 'with-stage';

/** How a {@link ManagedGroup} is made. */
export interface ManagedGroupInit {
  readonly group: TaskGroup;
  /** `Class@method` for a decorated method, `spawn` for a dynamic group. */
  readonly origin: string;
  /** The provider whose destroy phase stops the group, if any. */
  readonly owner: object | undefined;
  readonly launch: LaunchMode;
  /** Detaches what was attached to the group (event forwarding, logging). */
  readonly detach: () => void;
}

/**
 * A task group as the application runs it: the core group, where it comes from, and its state
 * with the root policy (a pending restart after a give-up). Internal to the Nest integration.
 */
export class ManagedGroup {
  readonly name: string;
  readonly origin: string;
  readonly owner: object | undefined;
  readonly launch: LaunchMode;
  /** The core group; only this class starts and stops it, so root timers stay consistent. */
  private readonly group: TaskGroup;
  private readonly detach: () => void;
  /** `false` until the lifecycle, a registry call or a stop has decided the group's first run. */
  private launched = false;
  private root: RootState = { kind: 'healthy' };
  /** Consecutive give-ups, for the root backoff; reset by a long healthy run or by hand. */
  private giveUps = 0;
  /** When the root last restarted the group, to tell a new incident from a repeated one. */
  private rootRestartedAt: number | undefined;

  constructor(init: ManagedGroupInit) {
    this.group = init.group;
    this.name = init.group.status().name;
    this.origin = init.origin;
    this.owner = init.owner;
    this.launch = init.launch;
    this.detach = init.detach;
  }

  get path(): readonly string[] {
    return this.group.path;
  }

  /** Whether the lifecycle still has to start this group. */
  get awaitingLaunch(): boolean {
    return !this.launched;
  }

  /**
   * Starts a new run, unless one is running. Cancels a pending root restart and forgets past
   * give-ups when `byHand`. Never runs user code synchronously (the core guarantees it).
   */
  start(byHand: boolean): void {
    this.launched = true;
    this.cancelRootRestart();
    this.root = { kind: 'healthy' };
    if (byHand) this.forgetGiveUps();
    const state = this.group.status().state.kind;
    if (state !== 'running') this.group.start();
  }

  /**
   * Stops the group within its deadline (or `options.timeoutMs`); never rejects. Cancels a
   * pending root restart; `byHand` also clears a give-up from the group's health, since an
   * operator took the group out on purpose.
   */
  stop(byHand: boolean, options?: StopOptions): Promise<StopReport> {
    this.launched = true;
    this.cancelRootRestart();
    if (byHand) this.forgetGiveUps();
    return this.group.stop(options);
  }

  resize(size: number): void {
    this.group.resize(size);
  }

  /**
   * Records a give-up and arms the root's restart after a capped exponential wait; `onDue` runs
   * when the wait is over (and never after the restart was cancelled). Returns the wait and the
   * count of consecutive give-ups it is based on.
   */
  scheduleRootRestart(
    error: Error,
    backoff: Required<RootRestartBackoff>,
    onDue: () => void,
  ): { readonly delayMs: number; readonly giveUps: number } {
    this.cancelRootRestart();
    const now = Date.now();
    const ranLongEnough =
      this.rootRestartedAt !== undefined && now - this.rootRestartedAt >= backoff.resetAfterMs;
    this.giveUps = ranLongEnough ? 1 : this.giveUps + 1;
    const delayMs = Math.min(backoff.maxMs, backoff.minMs * backoff.factor ** (this.giveUps - 1));

    const timer = setTimeout(onDue, delayMs);
    this.root = {
      kind: 'restart-pending',
      error,
      gaveUpAt: now,
      restartAt: now + delayMs,
      giveUps: this.giveUps,
      timer,
    };
    return { delayMs, giveUps: this.giveUps };
  }

  /** Records a give-up that nothing will restart by itself. */
  markGaveUp(error: Error): void {
    this.cancelRootRestart();
    this.root = { kind: 'gave-up', error, gaveUpAt: Date.now() };
  }

  /** Starts the group for the root policy once its wait is over; it counts as healthy again. */
  restartForRoot(): void {
    if (this.root.kind !== 'restart-pending') return;
    this.root = { kind: 'healthy' };
    this.rootRestartedAt = Date.now();
    if (this.group.status().state.kind !== 'running') this.group.start();
  }

  /** Cancels a pending root restart, keeping the give-up on record as `gave-up`. */
  cancelRootRestart(): void {
    if (this.root.kind !== 'restart-pending') return;
    clearTimeout(this.root.timer);
    this.root = { kind: 'gave-up', error: this.root.error, gaveUpAt: this.root.gaveUpAt };
  }

  /** Detaches logging and event forwarding; the group is no longer part of the application. */
  dispose(): void {
    this.cancelRootRestart();
    this.detach();
  }

  status(): GroupStatus {
    return this.group.status();
  }

  health(): GroupHealth {
    const root = this.root;
    if (root.kind !== 'restart-pending') return root;
    const { timer: _timer, ...health } = root;
    return health;
  }

  info(): GroupInfo {
    return { name: this.name, origin: this.origin, status: this.status(), health: this.health() };
  }

  private forgetGiveUps(): void {
    this.root = { kind: 'healthy' };
    this.giveUps = 0;
    this.rootRestartedAt = undefined;
  }
}
