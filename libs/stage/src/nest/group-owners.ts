import type { Logger } from '@nestjs/common';

import { messageOf, stackOf, toError } from '../core/errors/thrown-value-error.js';
import type { Supervisor } from '../core/supervisor/supervisor.js';
import type { ManagedGroup } from './managed-group.js';
import { bindBeforeDestroy, bindOwnerLifecycle } from './owner-lifecycle.js';
import type { StageChannels } from './stage-channels.js';

/** What the owners' lifecycles need from the runtime. */
export interface GroupOwnersDeps {
  /** Every group of the application, in declaration order. */
  readonly groups: () => Iterable<ManagedGroup>;
  /** Whether the application runs (not bootstrapping, not shutting down). */
  readonly running: () => boolean;
  /** From the first destroy phase on, nothing starts any more. */
  readonly beginClosing: () => void;
  /** The supervisor a group is a child of. */
  readonly parentOf: (managed: ManagedGroup) => Supervisor;
  /** Lets the last consumer of a channel drain it before its group stops. */
  readonly channels: StageChannels;
  readonly logger: Logger;
}

/**
 * The providers that own groups, and how their lifecycles carry their groups'. An owner's groups
 * run once the owner bootstrapped, and stop in the owner's destroy phase, before the owner's own
 * `onModuleDestroy` and before any provider the owner uses is destroyed: each of those that has
 * an `onModuleDestroy` stops the owner's groups first. Internal.
 *
 * **Stop.** An owner's groups stop once, whoever asks first (the owner or one of its
 * dependencies), in reverse declaration order, each through its supervisor (so that no strategy
 * restarts it) and within its deadline; the last consumer of a channel first drains it. A stop
 * never rejects: a failure is logged and the next group still stops.
 *
 * **Failure.** A provider whose hooks cannot be wrapped (frozen, sealed, read-only hooks) is not
 * bound: its groups start and stop with Stage's own module, and a warning says so.
 */
export class GroupOwners {
  /** Owners whose hooks carry their groups' lifecycle, and whether that binding succeeded. */
  private readonly bound = new WeakMap<object, boolean>();
  /** Each guarded dependency, and the owners that use it (see `guardDependencies`). */
  private readonly dependents = new WeakMap<object, Set<object>>();
  /** The stop of each owner's groups, once begun: an owner stops once, whoever asks first. */
  private readonly stops = new WeakMap<object, Promise<void>>();
  /**
   * Owners whose bootstrap phase has run. One that ran before Stage's own (a global module set
   * up before Stage's core) has its groups let run by Stage's bootstrap instead.
   */
  private readonly bootstrapped = new WeakSet<object>();

  constructor(private readonly deps: GroupOwnersDeps) {}

  /**
   * Makes `owner`'s lifecycle carry its groups', once per owner; returns whether it could (the
   * same answer for every later call).
   */
  bind(owner: object): boolean {
    const known = this.bound.get(owner);
    if (known !== undefined) return known;

    const bound = bindOwnerLifecycle(owner, {
      bootstrap: () => this.startOwnedBy(owner),
      destroy: () => this.stopOwnedBy(owner),
    });
    this.bound.set(owner, bound);
    if (!bound) {
      this.deps.logger.warn(
        `Stage cannot wrap the lifecycle hooks of ${owner.constructor?.name ?? 'a provider'} ` +
          `(the instance is frozen, sealed or has read-only hooks): its groups start and stop ` +
          `with Stage's own module, possibly after the providers they use were destroyed.`,
      );
    }
    return bound;
  }

  /**
   * Makes each of `dependencies` that has an `onModuleDestroy` stop `owner`'s groups before it
   * runs. A dependency that cannot be wrapped is left to Nest's order, which is right unless the
   * owner's module is global.
   */
  guardDependencies(owner: object, dependencies: readonly object[]): void {
    for (const dependency of dependencies) {
      if (dependency === owner) continue;
      let owners = this.dependents.get(dependency);
      if (owners === undefined) {
        const guarded = bindBeforeDestroy(dependency, () => this.stopOwnersOf(dependency));
        if (!guarded) continue;
        owners = new Set();
        this.dependents.set(dependency, owners);
      }
      owners.add(owner);
    }
  }

  /** A dependency's destroy phase begins: the groups of every owner that uses it stop first. */
  private async stopOwnersOf(dependency: object): Promise<void> {
    for (const owner of this.dependents.get(dependency) ?? []) await this.stopOwnedBy(owner);
  }

  /** Whether `owner`'s bootstrap phase has run, so that its groups may run. */
  hasBootstrapped(owner: object): boolean {
    return this.bootstrapped.has(owner);
  }

  /**
   * The owner's bootstrap phase: lets its groups run, or, before Stage's own bootstrap, leaves
   * that to it (see {@link hasBootstrapped}).
   */
  private startOwnedBy(owner: object): void {
    this.bootstrapped.add(owner);
    if (!this.deps.running()) return;
    for (const managed of this.deps.groups()) {
      if (managed.owner === owner && managed.launch === 'with-owner') managed.open();
    }
  }

  /**
   * The owner's destroy phase: the application is closing. Stops the owner's groups in reverse
   * declaration order, each through its supervisor and within its deadline; the last consumer of
   * a channel first drains it. Never rejects.
   */
  private stopOwnedBy(owner: object): Promise<void> {
    let stop = this.stops.get(owner);
    if (stop === undefined) {
      stop = this.stopGroupsOf(owner);
      this.stops.set(owner, stop);
    }
    return stop;
  }

  private async stopGroupsOf(owner: object): Promise<void> {
    this.deps.beginClosing();
    const owned = [...this.deps.groups()].filter((managed) => managed.owner === owner);
    for (const managed of owned.reverse()) await this.stopForShutdown(managed);
  }

  /**
   * Stops one group for the shutdown, through its supervisor (so that no strategy restarts it)
   * and within its deadline; the last running consumer of a channel first drains it. A group
   * stopped already stays so. Never rejects: a failure is logged.
   */
  async stopForShutdown(managed: ManagedGroup): Promise<void> {
    const before = this.deps.channels.drainBefore(managed);
    if (before !== undefined) managed.planStop({ before });
    try {
      await this.deps.parentOf(managed).stopChild(managed.name);
    } catch (thrown) {
      const failure = toError(thrown);
      this.deps.logger.error(
        `Stopping group "${managed.name}" failed: ${messageOf(failure)}`,
        stackOf(failure),
      );
    }
    managed.planStop(undefined);
  }
}
