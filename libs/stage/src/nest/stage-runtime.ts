import { Injectable, Logger } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

import { DuplicateChildError } from '../core/errors/duplicate-child-error.js';
import { messageOf, toError } from '../core/errors/thrown-value-error.js';
import { attachGroupLog } from '../core/group/failure-log.js';
import type { GroupEvent } from '../core/group/group-events.js';
import type { RestartPolicy } from '../core/group/restart-policy.js';
import {
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  validateTimeout,
} from '../core/group/resolve-group-options.js';
import type { StopOptions, StopReport } from '../core/group/stop-report.js';
import { TaskGroup } from '../core/group/task-group.js';
import type { TaskGroupOptions } from '../core/group/task-group-options.js';
import type { Supervisor } from '../core/supervisor/supervisor.js';
import type { SupervisorEvent } from '../core/supervisor/supervisor-events.js';
import type { SupervisorStatus } from '../core/supervisor/supervisor-status.js';
import type { ChildStopReport } from '../core/supervisor/supervisor-stop-report.js';
import { DuplicateGroupError } from './errors/duplicate-group-error.js';
import { StageNotRunningError } from './errors/stage-not-running-error.js';
import { UnknownGroupError } from './errors/unknown-group-error.js';
import type { GroupInfo, StageHealth } from './group-info.js';
import { GroupOwners } from './group-owners.js';
import { type LaunchMode, ManagedGroup } from './managed-group.js';
import type { DeclaredChannel } from './scan-features.js';
import { StageChannels } from './stage-channels.js';
import { StageConfiguration } from './stage-configuration.js';
import type { StageEvent } from './stage-events.js';
import type { ModuleSupervisorOptions } from './stage-feature-options.js';
import type { GroupDefaults } from './stage-module-options.js';
import { StageTree } from './stage-tree.js';
import { groupHealth, RootPolicy } from './root-policy.js';
import { logSupervisorEvent } from './supervision-log.js';
import { withoutUndefined } from './without-undefined.js';

/** Where the application's Stage stands. Moves forward only. */
type RuntimePhase =
  /** Groups are being collected; none has been started by the lifecycle yet. */
  | { readonly kind: 'assembling' }
  /** Stage bootstrapped: the tree runs, spawned groups start at once, `start()` is allowed. */
  | { readonly kind: 'running' }
  /** A provider's destroy phase began: nothing starts any more. */
  | { readonly kind: 'closing' }
  /** The tree was stopped, the channels closed and `events$` completed. */
  | { readonly kind: 'closed' };

/** The module whose supervisor a group joins. */
export interface GroupModule {
  /** Nest's module object, which identifies the module. */
  readonly key: object;
  /** The module class's name, which names its supervisor. */
  readonly name: string;
  readonly supervisor: ModuleSupervisorOptions;
}

/** How a group joins the runtime. */
export interface AddGroupOptions {
  /** The core options, before the root `groups` defaults are applied. */
  readonly options: TaskGroupOptions;
  /** `Class@method` or `spawn`. */
  readonly origin: string;
  /** The provider whose destroy phase stops the group. */
  readonly owner?: object;
  /**
   * The providers the owner uses, directly or not: any of them with an `onModuleDestroy` stops
   * the owner's groups before it runs (see `bindBeforeDestroy`).
   */
  readonly dependencies?: readonly object[];
  readonly launch: LaunchMode;
  /** The module whose supervisor the group joins; without one it joins the root. */
  readonly module?: GroupModule;
  /** The channel it consumes in handler mode. */
  readonly channel?: string;
}

/**
 * The application's one Stage core: the supervision tree and its groups, the root policy, the
 * event stream and the shutdown sequence. Shared by every import of `StageModule`. Internal: the
 * public face is `StageRegistry`.
 *
 * Each group is a child of its module's supervisor (or of the root, when spawned), wrapped in a
 * `ManagedGroup` that lets it run only once its owner bootstrapped and never once shutdown began.
 * An owner's destroy phase stops its groups through their supervisor (`stopChild`), so that no
 * strategy restarts them.
 */
@Injectable()
export class StageRuntime {
  private readonly logger = new Logger('Stage');
  /** Every group of the application by name; names are unique. */
  private readonly groups = new Map<string, ManagedGroup>();
  /** The supervisor each group is a child of. */
  private readonly parents = new Map<ManagedGroup, Supervisor>();
  /** The providers that own groups, whose lifecycles start and stop them. */
  private readonly owners: GroupOwners;
  /** Every event; completed once, when the runtime closes. */
  private readonly events = new Subject<StageEvent>();
  private phase: RuntimePhase = { kind: 'assembling' };
  /** Built on first use, once the root options are known. */
  private builtTree: StageTree | undefined;
  /** Turns the root's decisions into events, log lines and the `shutdown` callback. */
  private readonly rootPolicy: RootPolicy;

  constructor(
    private readonly configuration: StageConfiguration,
    private readonly channels: StageChannels,
  ) {
    this.rootPolicy = new RootPolicy({
      options: () => this.configuration.options,
      running: () => this.phase.kind === 'running',
      emit: (event) => this.emit(event),
      logger: this.logger,
    });
    this.owners = new GroupOwners({
      groups: () => this.groups.values(),
      running: () => this.phase.kind === 'running',
      beginClosing: () => this.beginClosing(),
      parentOf: (managed) => this.parentOf(managed),
      channels: this.channels,
      logger: this.logger,
    });
  }

  get events$(): Observable<StageEvent> {
    return this.events.asObservable();
  }

  /** Binds the declared channels, forwarding their events to `events$`. */
  bindChannels(declared: ReadonlyMap<string, DeclaredChannel>): void {
    this.channels.bind(declared, (event) => this.emit(event));
  }

  /** Forwards an event to `events$` until the runtime closes. */
  emit(event: StageEvent): void {
    if (this.phase.kind !== 'closed') this.events.next(event);
  }

  /**
   * Builds a group with the root defaults applied and adds it to its module's supervisor (or the
   * root), binding it to its owner's lifecycle. The group does not start here.
   *
   * @throws InvalidOptionError from the core for a bad option (owner `group "<name>"`);
   * DuplicateGroupError when the name is taken.
   */
  add({
    options,
    origin,
    owner,
    dependencies,
    launch,
    module,
    channel,
  }: AddGroupOptions): ManagedGroup {
    const existing = this.groups.get(options.name);
    if (existing !== undefined) {
      const existingModule = this.parents.get(existing)?.name;
      const sameClass = existing.origin === origin && module !== undefined;
      throw new DuplicateGroupError(
        options.name,
        existing.origin,
        origin,
        sameClass && existingModule !== undefined ? [existingModule, module.name] : undefined,
      );
    }

    const { groups: defaults, logging } = this.configuration.options;
    const applied = applyDefaults(options, defaults);
    const group = new TaskGroup(applied);
    const detachers = [group.on((event) => this.emit(event))];
    if (logging) {
      const logger = new Logger(options.name);
      detachers.push(attachGroupLog(group, logger));
      const policy = applied.restart ?? 'on-failure';
      // A handler-mode task returns when its channel closes: Stage's own loop, nothing to say.
      if (policy !== 'always' && channel === undefined) {
        detachers.push(group.on((event) => this.logCompletion(event, policy, logger)));
      }
    }
    const detach = (): void => detachers.forEach((each) => each());

    const bound = owner !== undefined && this.owners.bind(owner);
    if (bound && dependencies !== undefined) this.owners.guardDependencies(owner, dependencies);
    const managed = new ManagedGroup({
      group,
      origin,
      owner: bound ? owner : undefined,
      launch: bound ? launch : 'with-stage',
      shutdownTimeoutMs: applied.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
      channel,
      detach,
    });
    const tree = this.tree;
    const parent =
      module === undefined
        ? tree.root
        : tree.moduleSupervisor(module.key, module.name, module.supervisor);
    try {
      parent.add(managed);
    } catch (error) {
      detach();
      if (error instanceof DuplicateChildError) {
        throw new DuplicateGroupError(options.name, `supervisor "${parent.name}"`, origin);
      }
      throw error;
    }
    this.groups.set(managed.name, managed);
    this.parents.set(managed, parent);
    if (channel !== undefined) this.channels.find(channel)?.consumers.push(managed);

    if (this.phase.kind === 'running' && managed.launch === 'with-stage') managed.open();
    if (this.phase.kind === 'closing' || this.phase.kind === 'closed') managed.close();
    return managed;
  }

  /** The group named `name`. @throws UnknownGroupError */
  get(name: string): ManagedGroup {
    const managed = this.groups.get(name);
    if (managed === undefined) throw new UnknownGroupError(name, [...this.groups.keys()]);
    return managed;
  }

  list(): readonly ManagedGroup[] {
    return [...this.groups.values()];
  }

  /** What the registry shows of a group. */
  info(managed: ManagedGroup): GroupInfo {
    return {
      name: managed.name,
      origin: managed.origin,
      ...(managed.channel === undefined ? {} : { channel: managed.channel }),
      status: managed.status(),
      health: groupHealth(this.tree.root.health(), managed),
    };
  }

  /** The whole tree, from the root down. */
  treeStatus(): SupervisorStatus {
    return this.tree.root.status();
  }

  health(): StageHealth {
    return this.tree.root.health();
  }

  /**
   * Starts a group by hand: releases it if an operator held it stopped, then has its supervisor
   * start it. When its module gave up as a whole, the module is restarted at once, cancelling the
   * root's pending restart. @throws StageNotRunningError before Stage bootstrapped or once the
   * application is shutting down.
   */
  start(name: string): void {
    const managed = this.get(name);
    this.assertRunning(`start("${name}")`);
    managed.release();
    const parent = this.parentOf(managed);
    const root = this.tree.root;
    // The child of the root that holds the group: its module's supervisor, or the group itself.
    const top = parent === root ? name : parent.name;
    const state = root.status().children.find((child) => child.name === top)?.state.kind;
    if (state === 'running') {
      this.guard(parent.startChild(name), `Starting group "${name}"`);
      return;
    }
    this.guard(
      root.stopChild(top).then(() => root.startChild(top)),
      `Restarting "${top}" under the root`,
    );
  }

  /**
   * Stops a group by hand through its supervisor, which will not restart it, and holds it stopped
   * until `start()`. Never rejects but for a bad `timeoutMs`.
   */
  async stop(name: string, options?: StopOptions): Promise<StopReport> {
    const managed = this.get(name);
    const timeoutMs = options?.timeoutMs;
    if (timeoutMs !== undefined) validateTimeout(timeoutMs, `group "${name}"`, 'timeoutMs');
    managed.hold(timeoutMs === undefined ? {} : { timeoutMs });
    const report = await this.parentOf(managed).stopChild(name);
    managed.planStop(undefined);
    return stopReportOf(report);
  }

  /** Stops a group by hand and forgets it; the name is free again. Never rejects. */
  async remove(name: string): Promise<StopReport> {
    const managed = this.get(name);
    this.groups.delete(name);
    const parent = this.parentOf(managed);
    this.parents.delete(managed);
    const consumers = managed.channel && this.channels.find(managed.channel)?.consumers;
    if (consumers) consumers.splice(consumers.indexOf(managed), 1);
    const report = await parent.remove(name);
    managed.dispose();
    return stopReportOf(report);
  }

  /**
   * Closes the channels named in `names` ahead of the rest of the shutdown, before what their
   * storage uses is destroyed (see `StageModule.forFeatureAsync`): their handler-mode consumers
   * stop first, the last one draining its channel within its deadline, as in its owner's destroy
   * phase; then what is still open closes, giving loop-mode consumers that still hold or await
   * messages the channel's drain deadline. Never rejects.
   */
  async closeChannels(names: readonly string[]): Promise<void> {
    this.beginClosing();
    for (const name of names) {
      const consumers = this.channels.find(name)?.consumers ?? [];
      for (const consumer of [...consumers].reverse()) await this.owners.stopForShutdown(consumer);
    }
    await this.channels.closeNamed(names);
  }

  /** Throws once the application is shutting down, or has shut down. */
  assertOpen(operation: string): void {
    if (this.phase.kind === 'closing' || this.phase.kind === 'closed') {
      throw new StageNotRunningError(operation, this.closedPhase());
    }
  }

  /**
   * Stage's own bootstrap, usually before every other provider's: starts the tree (a group runs
   * once its owner bootstrapped) and lets run the groups without an owner and those whose owner
   * bootstrapped first (a provider of a global module set up before Stage's core).
   */
  bootstrap(): void {
    if (this.phase.kind !== 'assembling') return;
    this.phase = { kind: 'running' };
    for (const managed of this.groups.values()) {
      const owner = managed.owner;
      const ownerReady = owner !== undefined && this.owners.hasBootstrapped(owner);
      if (managed.launch === 'with-stage' || ownerReady) managed.open();
    }
    this.tree.root.start();
  }

  /**
   * Stage's own destroy phase, after every owner's: stops the tree (whatever still runs, in
   * reverse start order), cancels pending root restarts, closes the channels that no consumer
   * drained, and completes `events$`. Never rejects.
   */
  async close(): Promise<void> {
    if (this.phase.kind === 'closed') return;
    this.beginClosing();
    const report = await this.tree.root.stop();
    if (!report.clean) {
      this.log(
        'warn',
        `Stage stopped with abandoned tasks: ${describeAbandoned(report.abandoned)}.`,
      );
    }
    await this.channels.closeAll();
    // Flushes pending failure summaries and releases their timers.
    for (const managed of this.groups.values()) managed.dispose();
    this.phase = { kind: 'closed' };
    this.events.complete();
  }

  private get tree(): StageTree {
    return (this.builtTree ??= new StageTree({
      onGiveUp: this.configuration.options.onGiveUp,
      handOver: (report) => this.rootPolicy.handOver(report),
      listener: (event) => this.onSupervisorEvent(event),
    }));
  }

  private parentOf(managed: ManagedGroup): Supervisor {
    return this.parents.get(managed) ?? this.tree.root;
  }

  private assertRunning(operation: string): void {
    if (this.phase.kind === 'running') return;
    throw new StageNotRunningError(
      operation,
      this.phase.kind === 'assembling' ? 'bootstrapping' : this.closedPhase(),
    );
  }

  /** Where a closing or closed application stands, as a refusal names it. */
  private closedPhase(): 'shutting-down' | 'shut-down' {
    return this.phase.kind === 'closed' ? 'shut-down' : 'shutting-down';
  }

  /** From the first destroy phase on, nothing starts any more. */
  private beginClosing(): void {
    if (this.phase.kind === 'closing' || this.phase.kind === 'closed') return;
    this.phase = { kind: 'closing' };
    for (const managed of this.groups.values()) managed.close();
  }

  private onSupervisorEvent(event: SupervisorEvent): void {
    this.emit(event);
    if (this.configuration.options.logging && event.path.length > 1) {
      logSupervisorEvent(this.logger, event);
    }
    if (event.path.length === 1) this.rootPolicy.onRootEvent(event);
  }

  /**
   * Says that a task returned for good while the application runs: under `on-failure` or `never`
   * a completed task is not restarted, and a long-running method that returns at once (an
   * un-awaited loop) would otherwise go unnoticed.
   */
  private logCompletion(event: GroupEvent, policy: RestartPolicy, logger: Logger): void {
    if (event.type !== 'completed' || this.phase.kind !== 'running') return;
    logger.log(
      `group "${event.path.join('/')}": task ${event.index} (attempt ${event.attempt}) returned ` +
        `and is not restarted (restart: '${policy}'). A task meant to run until the application ` +
        `stops must not return before ctx.signal fires; work that returns and must run again ` +
        `needs restart: 'always'.`,
    );
  }

  /** Logs a rejection of background work started by a registry call. */
  private guard(work: Promise<unknown>, what: string): void {
    work.catch((thrown: unknown) => {
      this.logger.warn(`${what} did not happen: ${messageOf(toError(thrown))}`);
    });
  }

  private log(level: 'log' | 'warn' | 'error', message: string): void {
    if (this.configuration.options.logging) this.logger[level](message);
  }
}

/**
 * The group's options over the root defaults; `backoff` merges field by field. A `backoff` that
 * is not an object is passed on untouched, for the core to reject by name.
 */
function applyDefaults(options: TaskGroupOptions, defaults: GroupDefaults): TaskGroupOptions {
  const own = withoutUndefined(options);
  const backoff =
    typeof own.backoff === 'object' && own.backoff !== null
      ? { ...defaults.backoff, ...withoutUndefined(own.backoff) }
      : (own.backoff ?? defaults.backoff);
  return withoutUndefined({ ...defaults, ...own, backoff });
}

/** The group's own report out of its supervisor's report about it. */
function stopReportOf(report: ChildStopReport): StopReport {
  return report.kind === 'stopped' ? report.report : { settled: 0, abandoned: [], clean: false };
}

function describeAbandoned(
  abandoned: readonly { readonly path: readonly string[]; readonly index: number }[],
): string {
  return abandoned.map(({ path, index }) => `${path.join('/')}[${index}]`).join(', ');
}
