import type { GroupStatus } from '../core/group/group-status.js';
import type { RestartPolicy } from '../core/group/restart-policy.js';
import type { StopOptions, StopReport } from '../core/group/stop-report.js';
import type { TaskGroup } from '../core/group/task-group.js';
import type { ChildExit, ChildParent, SupervisedChild } from '../core/supervisor/child.js';

/** How a managed group is let run by the application's lifecycle. */
export type LaunchMode =
  /** In its owner's `onApplicationBootstrap`, after the owner's own hook. */
  | 'with-owner'
  /** In Stage's own bootstrap, or at once when the application already runs. */
  | 'with-stage';

/**
 * Whether the application lets the group run, whatever its supervisor wants. Moves forward only.
 */
type Gate =
  /** The group waits for its launch (its owner's bootstrap, or Stage's). */
  | { readonly kind: 'waiting' }
  | { readonly kind: 'open' }
  /** The application is shutting down: no start runs the group any more. */
  | { readonly kind: 'closed' };

/** What the next stop does, set just before the runtime asks the supervisor for it. */
export interface StopPlan {
  /** The deadline of the whole stop, instead of the group's `shutdownTimeoutMs`. */
  readonly timeoutMs?: number;
  /**
   * Runs first, within the deadline (given in ms); the tasks are then stopped within what is
   * left. Handler mode uses it to drain the channel while the tasks still consume it.
   */
  readonly before?: (budgetMs: number) => Promise<void>;
}

/** How a {@link ManagedGroup} is made. */
export interface ManagedGroupInit {
  readonly group: TaskGroup;
  /** `Class@method` for a decorated method, `spawn` for a dynamic group. */
  readonly origin: string;
  /** The provider whose destroy phase stops the group, if any. */
  readonly owner: object | undefined;
  readonly launch: LaunchMode;
  /** The group's resolved `shutdownTimeoutMs`. */
  readonly shutdownTimeoutMs: number;
  /** The name of the channel the group consumes in handler mode, if any. */
  readonly channel: string | undefined;
  /** Detaches what was attached to the group (event forwarding, logging). */
  readonly detach: () => void;
}

/**
 * A task group as the application runs it: the child its supervisor sees. The supervisor decides
 * when the group should run (`start`, `stop`, restarts by its strategy); the application decides
 * when it may: not before its launch (its owner's bootstrap, so that the owner is ready), not
 * once shutdown has begun, and not while an operator holds it stopped (`StageRegistry.stop`). A
 * start the application does not allow yet is remembered and carried out when it does.
 *
 * The core group reports its exits to the supervisor through this wrapper, so the supervisor
 * knows one child. Internal to the Nest integration.
 */
export class ManagedGroup implements SupervisedChild {
  readonly name: string;
  readonly restart: RestartPolicy;
  readonly origin: string;
  readonly owner: object | undefined;
  readonly launch: LaunchMode;
  readonly channel: string | undefined;
  /** The core group; only this class starts and stops it. */
  private readonly group: TaskGroup;
  private readonly detach: () => void;
  private readonly shutdownTimeoutMs: number;
  private gate: Gate = { kind: 'waiting' };
  /** Whether the supervisor wants the group running: set by `start()`, cleared by `stop()`. */
  private wanted = false;
  /** Set by a stop by hand, cleared by a start by hand; no supervisor start runs it meanwhile. */
  private held = false;
  /** The plan of the next stop; consumed by that stop. */
  private plan: StopPlan | undefined;

  constructor(init: ManagedGroupInit) {
    this.group = init.group;
    this.name = init.group.name;
    this.restart = init.group.restart;
    this.origin = init.origin;
    this.owner = init.owner;
    this.launch = init.launch;
    this.channel = init.channel;
    this.shutdownTimeoutMs = init.shutdownTimeoutMs;
    this.detach = init.detach;
  }

  /** The group's place in the tree, from the root down. */
  get path(): readonly string[] {
    return this.group.path;
  }

  /** Whether the supervisor wants the group running and no operator holds it stopped. */
  get active(): boolean {
    return this.wanted && !this.held;
  }

  /** Whether the group's tasks run now (its supervisor wants it, and the application let it). */
  get running(): boolean {
    return this.active && this.group.status().state.kind === 'running';
  }

  /**
   * Whether no task of the group runs now and some wait out a backoff: nothing consumes, and
   * nothing will until a restart that may be far off.
   */
  get backingOff(): boolean {
    const { running, backingOff } = this.group.status();
    return running === 0 && backingOff > 0;
  }

  /** The supervisor starts the group: it runs now, or as soon as the application allows. */
  start(): void {
    this.wanted = true;
    this.run();
  }

  /**
   * The supervisor stops the group: within the planned deadline, else `options.timeoutMs`, else
   * the group's `shutdownTimeoutMs`. Never rejects.
   */
  stop(options?: StopOptions): Promise<StopReport> {
    this.wanted = false;
    const plan = this.plan;
    this.plan = undefined;
    const timeoutMs = plan?.timeoutMs ?? options?.timeoutMs;
    if (plan?.before === undefined) {
      return this.group.stop(timeoutMs === undefined ? undefined : { timeoutMs });
    }
    return this.stopAfter(plan.before, timeoutMs ?? this.shutdownTimeoutMs);
  }

  /** Attaches the group under `parent`; its exits are reported as this child's. */
  setParent(parent: ChildParent | undefined): void {
    if (parent === undefined) {
      this.group.setParent(undefined);
      return;
    }
    const report = (exit: ChildExit): void => parent.childExited(this, exit);
    this.group.setParent({
      get path() {
        return parent.path;
      },
      childExited: (_group: SupervisedChild, exit: ChildExit) => report(exit),
    });
  }

  /** Lets the group run from now on (its launch came); starts it if its supervisor wants it. */
  open(): void {
    if (this.gate.kind !== 'waiting') return;
    this.gate = { kind: 'open' };
    this.run();
  }

  /** Shutdown began: no start runs the group any more. */
  close(): void {
    this.gate = { kind: 'closed' };
  }

  /** An operator stops the group: it stays stopped, whatever its supervisor does, till released. */
  hold(plan: StopPlan): void {
    this.held = true;
    this.plan = plan;
  }

  /** Sets what the next stop does, or forgets a plan no stop consumed. */
  planStop(plan: StopPlan | undefined): void {
    this.plan = plan;
  }

  /** An operator starts the group: it runs again if its supervisor wants it. */
  release(): void {
    this.held = false;
    this.run();
  }

  resize(size: number): void {
    this.group.resize(size);
  }

  status(): GroupStatus {
    return this.group.status();
  }

  /** Detaches logging and event forwarding; the group is no longer part of the application. */
  dispose(): void {
    this.detach();
  }

  private run(): void {
    if (!this.wanted || this.held || this.gate.kind !== 'open') return;
    if (this.group.status().state.kind !== 'running') this.group.start();
  }

  /** Runs `before` within the deadline, then stops the tasks within what is left. */
  private async stopAfter(
    before: (budgetMs: number) => Promise<void>,
    budgetMs: number,
  ): Promise<StopReport> {
    const started = performance.now();
    try {
      await before(budgetMs);
    } catch {
      // `before` reports its own failures; the stop goes on regardless.
    }
    const left = Math.max(0, budgetMs - (performance.now() - started));
    return this.group.stop({ timeoutMs: left });
  }
}
