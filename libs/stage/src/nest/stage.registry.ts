import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';

import type { GroupStatus } from '../core/group/group-status.js';
import type { StopOptions, StopReport } from '../core/group/stop-report.js';
import type { TaskGroupOptions } from '../core/group/task-group-options.js';
import type { GroupInfo, StageHealth } from './group-info.js';
import type { StageEvent } from './stage-events.js';
import { StageRuntime } from './stage-runtime.js';

/** Options of {@link StageRegistry.spawn}: a core group, plus the provider that owns it. */
export interface SpawnOptions extends TaskGroupOptions {
  /**
   * The provider whose destroy phase stops the group, usually `this` when spawning from a
   * provider, so the group stops before the providers it uses are destroyed. Without an owner the
   * group stops in Stage's own destroy phase, which comes after every other module's.
   */
  readonly owner?: object;
}

/**
 * The application's groups at run time: list and inspect them, stop, start and resize them,
 * spawn dynamic ones, read the health summary and follow every event. Injectable anywhere once
 * `StageModule` is imported in the application.
 *
 * Names are the groups' names: `ClassName.method` for a `@Supervised` method unless it sets one.
 * Every call that takes a name throws `UnknownGroupError` for a name the application does not
 * have.
 */
@Injectable()
export class StageRegistry {
  constructor(private readonly runtime: StageRuntime) {}

  /**
   * Every group event (started, failed with its cause, restarting with its delay, gave up,
   * stopped, …) and every root decision (`root-restart-scheduled`, `root-shutdown`), as they
   * happen. Hot: a subscriber sees events from when it subscribes. Completes when the application
   * has shut down and every group has stopped. A subscriber that throws is reported by RxJS as an
   * unhandled error; it does not affect the groups.
   */
  get events$(): Observable<StageEvent> {
    return this.runtime.events$;
  }

  /** Every group, in the order it was added (decorated groups in discovery order, then spawned). */
  list(): GroupInfo[] {
    return this.runtime.list().map((managed) => managed.info());
  }

  /** Whether a group named `name` exists. */
  has(name: string): boolean {
    return this.runtime.list().some((managed) => managed.name === name);
  }

  /** What the registry knows about one group. @throws UnknownGroupError */
  get(name: string): GroupInfo {
    return this.runtime.get(name).info();
  }

  /** The core's status snapshot of one group. @throws UnknownGroupError */
  status(name: string): GroupStatus {
    return this.runtime.get(name).status();
  }

  /**
   * Stops a group: fires its tasks' signals and waits up to its `shutdownTimeoutMs` (or
   * `options.timeoutMs`), then reports the tasks that did not settle as abandoned. The group then
   * starts nothing by itself: a pending root restart is cancelled and a past give-up no longer
   * counts against the application's health. Idempotent; a stop in progress is shared.
   *
   * @throws UnknownGroupError, or InvalidOptionError for a bad `timeoutMs`, as a rejected promise;
   * nothing is stopped then.
   */
  async stop(name: string, options?: StopOptions): Promise<StopReport> {
    return this.runtime.get(name).stop(true, options);
  }

  /**
   * Starts a new run of a stopped, completed or given-up group; does nothing to a running one.
   * Cancels a pending root restart and forgets past give-ups. No task body runs before this
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
   * Adds a dynamic group, with the root `groups` defaults applied. It starts at once when the
   * application is running, or with the application's bootstrap otherwise, and is stopped at
   * shutdown (see {@link SpawnOptions.owner}). Its user code never runs before this returns.
   *
   * @throws InvalidOptionError for a bad option; DuplicateGroupError when the name is taken;
   * StageNotRunningError once the application is shutting down.
   */
  spawn(options: SpawnOptions): GroupInfo {
    this.runtime.assertOpen(`spawn({ name: ${JSON.stringify(options.name)} })`);
    const { owner, ...groupOptions } = options;
    const managed = this.runtime.add({
      options: groupOptions,
      origin: 'spawn',
      owner,
      launch: 'with-stage',
    });
    return managed.info();
  }

  /**
   * Stops a group as {@link stop} does and removes it from the application; its name is free
   * again. Works for decorated groups too, which then come back only with the next application
   * start.
   *
   * @throws UnknownGroupError (as a rejected promise)
   */
  async remove(name: string): Promise<StopReport> {
    return this.runtime.remove(name);
  }

  /** The health summary: unhealthy while any group has given up and not been started again. */
  health(): StageHealth {
    const unhealthy = this.list().flatMap(({ name, health }) =>
      health.kind === 'healthy' ? [] : [{ name, health }],
    );
    return { healthy: unhealthy.length === 0, unhealthy };
  }
}
