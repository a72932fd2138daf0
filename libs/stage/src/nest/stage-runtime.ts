import { Injectable, Logger } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

import { attachGroupLog } from '../core/group/failure-log.js';
import type { GroupEvent } from '../core/group/group-events.js';
import type { StopReport } from '../core/group/stop-report.js';
import { TaskGroup } from '../core/group/task-group.js';
import type { TaskGroupOptions } from '../core/group/task-group-options.js';
import { DuplicateGroupError } from './errors/duplicate-group-error.js';
import { StageNotRunningError } from './errors/stage-not-running-error.js';
import { UnknownGroupError } from './errors/unknown-group-error.js';
import { type LaunchMode, ManagedGroup } from './managed-group.js';
import { bindOwnerLifecycle } from './owner-lifecycle.js';
import { StageConfiguration } from './stage-configuration.js';
import type { RootEvent, StageEvent } from './stage-events.js';
import type { GroupDefaults } from './stage-module-options.js';
import { withoutUndefined } from './without-undefined.js';

/** Where the application's Stage stands. Moves forward only. */
type RuntimePhase =
  /** Groups are being collected; none has been started by the lifecycle yet. */
  | { readonly kind: 'assembling' }
  /** Stage bootstrapped: spawned groups start at once, `start()` is allowed. */
  | { readonly kind: 'running' }
  /** A provider's destroy phase began: no root restarts, no new work. */
  | { readonly kind: 'closing' }
  /** Every group was stopped and `events$` completed. */
  | { readonly kind: 'closed' };

/** How a group joins the runtime. */
export interface AddGroupOptions {
  /** The core options, before the root `groups` defaults are applied. */
  readonly options: TaskGroupOptions;
  /** `Class@method` or `spawn`. */
  readonly origin: string;
  /** The provider whose destroy phase stops the group. */
  readonly owner?: object;
  readonly launch: LaunchMode;
}

/**
 * The application's one Stage core: every group, the root policy for groups that give up, the
 * event stream and the shutdown sequence. Shared by every import of `StageModule`. Internal: the
 * public face is {@link StageRegistry}.
 */
@Injectable()
export class StageRuntime {
  private readonly logger = new Logger('Stage');
  /** Every group of the application by name; names are unique. */
  private readonly groups = new Map<string, ManagedGroup>();
  /** Owners whose hooks carry their groups' lifecycle, and whether that binding succeeded. */
  private readonly owners = new WeakMap<object, boolean>();
  /** Every group event and root decision; completed once, when the runtime closes. */
  private readonly events = new Subject<StageEvent>();
  private phase: RuntimePhase = { kind: 'assembling' };
  /** Set once the `shutdown` give-up policy has been invoked, so it runs at most once. */
  private shutdownRequested = false;

  constructor(private readonly configuration: StageConfiguration) {}

  get events$(): Observable<StageEvent> {
    return this.events.asObservable();
  }

  /**
   * Builds a group with the root defaults applied and adds it, binding it to its owner's
   * lifecycle. The group does not start here.
   *
   * @throws InvalidOptionError from the core for a bad option (owner `group "<name>"`);
   * DuplicateGroupError when the name is taken.
   */
  add({ options, origin, owner, launch }: AddGroupOptions): ManagedGroup {
    const existing = this.groups.get(options.name);
    if (existing !== undefined) {
      throw new DuplicateGroupError(options.name, existing.origin, origin);
    }

    const { groups: defaults, logging } = this.configuration.options;
    const group = new TaskGroup(applyDefaults(options, defaults));
    const detachers = [group.on((event) => this.onGroupEvent(managed, event))];
    if (logging) detachers.push(attachGroupLog(group, new Logger(options.name)));

    const bound = owner !== undefined && this.bindOwner(owner);
    const managed: ManagedGroup = new ManagedGroup({
      group,
      origin,
      owner: bound ? owner : undefined,
      launch: bound ? launch : 'with-stage',
      detach: () => detachers.forEach((detach) => detach()),
    });
    this.groups.set(managed.name, managed);

    if (this.phase.kind === 'running' && managed.launch === 'with-stage') managed.start(false);
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

  /**
   * Starts a group by hand. @throws StageNotRunningError before Stage bootstrapped or once the
   * application is shutting down.
   */
  start(name: string): void {
    const managed = this.get(name);
    this.assertRunning(`start("${name}")`);
    managed.start(true);
  }

  /** Stops a group by hand and forgets it; the name is free again. Never rejects. */
  async remove(name: string): Promise<StopReport> {
    const managed = this.get(name);
    this.groups.delete(name);
    const report = await managed.stop(true);
    managed.dispose();
    return report;
  }

  /** Throws unless new work may start now. */
  private assertRunning(operation: string): void {
    if (this.phase.kind === 'running') return;
    throw new StageNotRunningError(
      operation,
      this.phase.kind === 'assembling' ? 'bootstrapping' : 'shutting-down',
    );
  }

  /** Throws once the application is shutting down. */
  assertOpen(operation: string): void {
    if (this.phase.kind === 'closing' || this.phase.kind === 'closed') {
      throw new StageNotRunningError(operation, 'shutting-down');
    }
  }

  /** Stage's own bootstrap: starts every group that does not start with an owner. */
  bootstrap(): void {
    if (this.phase.kind !== 'assembling') return;
    this.phase = { kind: 'running' };
    for (const managed of this.groups.values()) {
      if (managed.launch === 'with-stage' && managed.awaitingLaunch) managed.start(false);
    }
  }

  /**
   * Stage's own destroy phase, after every owner's: stops whatever still runs (spawned groups
   * without an owner, groups whose owner could not carry hooks), cancels pending root restarts
   * and completes `events$`. Never rejects.
   */
  async close(): Promise<void> {
    if (this.phase.kind === 'closed') return;
    this.phase = { kind: 'closing' };
    const groups = [...this.groups.values()];
    await this.stopAll(groups);
    // Flushes pending failure summaries and releases their timers.
    for (const managed of groups) managed.dispose();
    this.phase = { kind: 'closed' };
    this.events.complete();
  }

  private bindOwner(owner: object): boolean {
    const known = this.owners.get(owner);
    if (known !== undefined) return known;

    const bound = bindOwnerLifecycle(owner, {
      bootstrap: () => this.startOwnedBy(owner),
      destroy: () => this.stopOwnedBy(owner),
    });
    this.owners.set(owner, bound);
    if (!bound) {
      this.logger.warn(
        `Stage cannot wrap the lifecycle hooks of ${owner.constructor?.name ?? 'a provider'} ` +
          `(the instance is frozen, sealed or has read-only hooks): its groups start and stop ` +
          `with Stage's own module, possibly after the providers they use were destroyed.`,
      );
    }
    return bound;
  }

  /** The owner's bootstrap phase: starts its groups that wait for it. */
  private startOwnedBy(owner: object): void {
    if (this.phase.kind === 'closing' || this.phase.kind === 'closed') return;
    for (const managed of this.groups.values()) {
      if (managed.owner === owner && managed.launch === 'with-owner' && managed.awaitingLaunch) {
        managed.start(false);
      }
    }
  }

  /** The owner's destroy phase: the application is closing; stops the owner's groups. */
  private async stopOwnedBy(owner: object): Promise<void> {
    if (this.phase.kind !== 'closed') this.phase = { kind: 'closing' };
    await this.stopAll([...this.groups.values()].filter((managed) => managed.owner === owner));
  }

  /** Stops groups in parallel, each within its own deadline. Never rejects. */
  private async stopAll(groups: readonly ManagedGroup[]): Promise<void> {
    const results = await Promise.allSettled(groups.map(async (managed) => managed.stop(false)));
    results.forEach((result, index) => {
      if (result.status === 'rejected') {
        const error: unknown = result.reason;
        this.logger.error(
          `Stopping group "${groups[index]?.name}" failed: ${String(error)}`,
          error instanceof Error ? error.stack : undefined,
        );
      }
    });
  }

  private onGroupEvent(managed: ManagedGroup, event: GroupEvent): void {
    if (this.phase.kind !== 'closed') this.events.next(event);
    if (event.type === 'gave-up') this.onGaveUp(managed, event.error);
  }

  /** The root policy: restart later, or shut the application down. */
  private onGaveUp(managed: ManagedGroup, error: Error): void {
    if (this.phase.kind === 'closing' || this.phase.kind === 'closed') {
      managed.markGaveUp(error);
      return;
    }
    const policy = this.configuration.options.onGiveUp;
    const report = { group: managed.name, path: managed.path, error };

    if (policy.action === 'shutdown') {
      managed.markGaveUp(error);
      this.emitRoot({ type: 'root-shutdown', ...report });
      if (this.shutdownRequested) return;
      this.shutdownRequested = true;
      this.log('error', `Group "${managed.name}" gave up; shutting the application down.`);
      void Promise.resolve()
        .then(() => policy.shutdown(report))
        .catch((shutdownError: unknown) => {
          this.logger.error(
            `The onGiveUp shutdown callback failed: ${String(shutdownError)}`,
            shutdownError instanceof Error ? shutdownError.stack : undefined,
          );
        });
      return;
    }

    const { delayMs, giveUps } = managed.scheduleRootRestart(error, policy.backoff, () => {
      if (this.phase.kind !== 'running') {
        managed.markGaveUp(error);
        return;
      }
      this.log('log', `Restarting group "${managed.name}" after it gave up.`);
      managed.restartForRoot();
    });
    this.emitRoot({ type: 'root-restart-scheduled', ...report, delayMs, giveUps });
    const again = giveUps === 1 ? 'gave up' : `gave up again (${giveUps} times in a row)`;
    this.log(
      'warn',
      `Group "${managed.name}" ${again}; it reports unhealthy until Stage restarts it in ` +
        `${formatDelay(delayMs)}.`,
    );
  }

  private emitRoot(event: RootEvent): void {
    if (this.phase.kind !== 'closed') this.events.next(event);
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

function formatDelay(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1_000) return `${Math.round(ms / 100) / 10} s`;
  return `${ms} ms`;
}
