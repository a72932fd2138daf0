import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Observable } from 'rxjs';

import type { DeadLetter } from '../core/channel/dead-letter.js';
import { describeValue, InvalidOptionError } from '../core/errors/invalid-option-error.js';
import type { MessageId } from '../core/channel/message-id.js';
import type { GroupStatus } from '../core/group/group-status.js';
import type { StopOptions, StopReport } from '../core/group/stop-report.js';
import type { TaskGroupOptions } from '../core/group/task-group-options.js';
import type { SupervisorStatus } from '../core/supervisor/supervisor-status.js';
import type { ChannelInfo } from './channel-info.js';
import type { GroupInfo, StageHealth } from './group-info.js';
import { dependenciesOf } from './provider-dependencies.js';
import { type ChannelEntry, StageChannels } from './stage-channels.js';
import type { StageEvent } from './stage-events.js';
import { StageRuntime } from './stage-runtime.js';

/** Options of {@link StageRegistry.spawn}: a core group, plus the provider that owns it. */
export interface SpawnOptions extends TaskGroupOptions {
  /**
   * The provider whose destroy phase stops the group, usually `this` when spawning from a
   * singleton provider or controller (anything else is refused), so the group stops before the
   * providers it uses are destroyed. Without an owner the
   * group stops in Stage's own destroy phase, which comes after every other module's. Either way
   * a spawned group is a child of the root supervisor (path `['root', name]`), which restarts it
   * by the `onGiveUp` policy when it gives up.
   */
  readonly owner?: object;
}

/**
 * The application at run time: its groups (list and inspect them, stop, start and resize them,
 * spawn dynamic ones), its supervision tree, its channels (depth, in-flight messages, the ledger,
 * dead letters to inspect and replay), the health summary and every event. Injectable anywhere
 * once `StageModule` is imported in the application.
 *
 * Group names are `ClassName.method` for a `@Supervised` method unless it sets one; every call
 * that takes a group name throws `UnknownGroupError` for a name the application does not have,
 * and every call that takes a channel name throws `UnknownChannelError`.
 */
@Injectable()
export class StageRegistry {
  constructor(
    private readonly runtime: StageRuntime,
    private readonly channelSet: StageChannels,
    private readonly discovery: DiscoveryService,
  ) {}

  /**
   * Every event, as it happens: each group's (started, failed with its cause, restarting with its
   * delay, gave up, stopped…), each supervisor's (a module restarting its groups, giving up…),
   * each channel's (dead-lettered, dropped, closed…) and the root policy's decisions
   * (`root-restart-scheduled`, `root-shutdown`). See {@link StageEvent} to tell them apart. Hot: a
   * subscriber sees events from when it subscribes. Completes when the application has shut down.
   * A subscriber that throws does not affect Stage, but RxJS rethrows its error asynchronously,
   * which ends the process as an uncaught exception unless RxJS's `config.onUnhandledError` is
   * set: catch errors inside your subscriber (or use `catchError` before it).
   */
  get events$(): Observable<StageEvent> {
    return this.runtime.events$;
  }

  /** Every group, in the order it was added (decorated groups in discovery order, then spawned). */
  list(): GroupInfo[] {
    return this.runtime.list().map((managed) => this.runtime.info(managed));
  }

  /** Whether a group named `name` exists. */
  has(name: string): boolean {
    return this.runtime.list().some((managed) => managed.name === name);
  }

  /** What the registry knows about one group. @throws UnknownGroupError */
  get(name: string): GroupInfo {
    return this.runtime.info(this.runtime.get(name));
  }

  /** The core's status snapshot of one group. @throws UnknownGroupError */
  status(name: string): GroupStatus {
    return this.runtime.get(name).status();
  }

  /**
   * The supervision tree, from the root down: each supervisor's state, strategy, restarts and
   * children in start order, and each group's status. How the
   * application maps onto it: `root` → one supervisor per module with supervised work, named
   * after the module class → the module's groups; spawned groups hang from the root.
   */
  tree(): SupervisorStatus {
    return this.runtime.treeStatus();
  }

  /**
   * Stops a group through its supervisor: fires its tasks' signals and waits up to its
   * `shutdownTimeoutMs` (or `options.timeoutMs`), then reports the tasks that did not settle as
   * abandoned. The group then stays stopped until {@link start}: no strategy restart of its
   * module, nor a restart of the module by the root, starts it again. Idempotent.
   *
   * @throws UnknownGroupError, or InvalidOptionError for a bad `timeoutMs`, as a rejected promise;
   * nothing is stopped then.
   */
  async stop(name: string, options?: StopOptions): Promise<StopReport> {
    return this.runtime.stop(name, options);
  }

  /**
   * Starts a group again: one stopped by hand, completed or given up; does nothing to a running
   * one. When the group's whole module gave up and waits for the root's restart, the module is
   * restarted at once (all its groups), cancelling that wait. No task body runs before this
   * returns.
   *
   * @throws UnknownGroupError; StageNotRunningError before the application bootstrapped or once
   * it is shutting down.
   */
  start(name: string): void {
    this.runtime.start(name);
  }

  /**
   * Changes how many tasks the group runs. Growing starts the new slots (if the group runs);
   * shrinking stops the highest slots, whose signals fire.
   *
   * @throws UnknownGroupError; InvalidOptionError when `size` is not an integer >= 0.
   */
  resize(name: string, size: number): void {
    this.runtime.get(name).resize(size);
  }

  /**
   * Adds a dynamic group, with the root `groups` defaults applied, as a child of the root
   * supervisor. It starts at once when the application is running, or with the application's
   * bootstrap otherwise, and is stopped at shutdown (see {@link SpawnOptions.owner}). Its user
   * code never runs before this returns.
   *
   * @throws InvalidOptionError for a bad option (options that are not an object, an `owner` that
   * is no singleton provider or controller instance of the application included);
   * DuplicateGroupError when the name is taken; StageNotRunningError once the application is
   * shutting down.
   */
  spawn(options: SpawnOptions): GroupInfo {
    // Checked before anything is built, so that a bad call leaves nothing half registered.
    if (options === null || typeof options !== 'object') {
      throw new InvalidOptionError('StageRegistry.spawn', 'options', options, 'an options object');
    }
    const { owner, ...groupOptions } = options;
    if (owner !== undefined && (owner === null || typeof owner !== 'object')) {
      throw new InvalidOptionError(
        'StageRegistry.spawn',
        'owner',
        owner,
        'the provider instance whose destroy phase stops the group, or nothing',
      );
    }
    this.runtime.assertOpen(`spawn({ name: ${describeValue(options.name)} })`);
    const managed = this.runtime.add({
      options: groupOptions,
      origin: 'spawn',
      owner,
      dependencies: owner === undefined ? undefined : this.dependenciesOf(owner),
      launch: 'with-stage',
    });
    return this.runtime.info(managed);
  }

  /**
   * What `owner` uses, directly or not: their destroy phase stops its spawned groups first, as
   * for a `@Supervised` method.
   *
   * @throws InvalidOptionError when `owner` is no singleton provider or controller instance of
   * the application (a request-scoped instance, a plain object): Nest calls no lifecycle hook on
   * it, so nothing would stop the group before what it uses is destroyed.
   */
  private dependenciesOf(owner: object): readonly object[] {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const wrapper = wrappers.find((each) => !each.isAlias && each.instance === owner);
    if (wrapper === undefined) {
      throw new InvalidOptionError(
        'StageRegistry.spawn',
        'owner',
        owner,
        'a singleton provider or controller instance of this application (usually `this` in ' +
          'one), whose destroy phase stops the group; Nest runs no lifecycle hook of other ' +
          'objects, request-scoped instances included. Leave owner out to stop the group with ' +
          "Stage's own destroy phase",
      );
    }
    return dependenciesOf(wrapper);
  }

  /**
   * Stops a group as {@link stop} does and removes it from its supervisor and the application;
   * its name is free again. Works for decorated groups too, which then come back only with the
   * next application start.
   *
   * @throws UnknownGroupError (as a rejected promise)
   */
  async remove(name: string): Promise<StopReport> {
    return this.runtime.remove(name);
  }

  /**
   * The health summary, from the root supervisor: `healthy` while running with no subtree
   * waiting to recover; otherwise `failing` lists the children of the root (modules, spawned
   * groups) that failed, with their error and when the root restarts them.
   */
  health(): StageHealth {
    return this.runtime.health();
  }

  /** Every channel of the application, in declaration order. */
  channels(): ChannelInfo[] {
    return this.channelSet.list().map(channelInfo);
  }

  /** One channel. @throws UnknownChannelError */
  channel(name: string): ChannelInfo {
    return channelInfo(this.channelSet.get(name, `channel("${name}")`));
  }

  /**
   * The dead letters of a channel, oldest first: each message with its last error, delivery count
   * and when it was set aside. A snapshot. @throws UnknownChannelError
   */
  deadLetters(name: string): readonly DeadLetter<unknown>[] {
    return this.channelSet.get(name, `deadLetters("${name}")`).channel.deadLetters();
  }

  /**
   * Puts dead letters of a channel back into it (those with the given ids, or all), with their
   * ids kept and their delivery count reset; they go back as one-way messages. Unknown ids are
   * ignored. Returns the ids replayed.
   *
   * @throws UnknownChannelError; ChannelClosedError once the channel is closing;
   * InvalidOptionError when `ids` is not an array of message ids.
   */
  replayDeadLetters(name: string, ids?: readonly MessageId[]): readonly MessageId[] {
    return this.channelSet.get(name, `replayDeadLetters("${name}")`).channel.replayDeadLetters(ids);
  }
}

function channelInfo({ name, channel, owners, consumers }: ChannelEntry): ChannelInfo {
  const stats = channel.stats();
  return {
    name,
    declaredBy: owners,
    state: channel.state,
    capacity: channel.capacity,
    overflow: channel.overflow,
    depth: stats.buffered,
    inFlight: stats.inFlight,
    deadLetters: stats.deadLetters,
    consumers: consumers.map((consumer) => consumer.name),
    stats,
  };
}
