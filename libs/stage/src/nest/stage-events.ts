import type { ChannelEvent } from '../core/channel/channel-events.js';
import type { GroupEvent } from '../core/group/group-events.js';
import type { SupervisorEvent } from '../core/supervisor/supervisor-events.js';

/** Fields every event of the application's root policy carries. */
interface RootEventBase {
  /** The child of the root the decision is about: a module's supervisor or a spawned group. */
  readonly child: string;
  /** Its path, for example `['root', 'AdderModule']`. */
  readonly path: readonly string[];
  /**
   * The error it failed with: a `SupervisorGaveUpError` or `GroupGaveUpError`, whose cause chain
   * (see `causeChain`) leads down to the task failure.
   */
  readonly error: Error;
}

/**
 * A decision of the application's root policy about a child of the root that failed (see
 * `StageModuleOptions.onGiveUp`), discriminated by `type`.
 */
export type RootEvent =
  | (RootEventBase & {
      /** The child starts again after `delayMs`; until then the application is unhealthy. */
      readonly type: 'root-restart-scheduled';
      readonly delayMs: number;
      /** The consecutive failures of the child that led to this wait, from 1. */
      readonly giveUps: number;
    })
  | (RootEventBase & {
      /** The application is being shut down because of this child. */
      readonly type: 'root-shutdown';
    });

/**
 * Everything `StageRegistry.events$` carries. Tell the sources apart by the field that names
 * them: `group` (a group's events), `supervisor` (a supervisor's: the root or a module's),
 * `channel` (a channel's), or a `type` starting with `root-` (the root policy's decisions).
 * Every group and supervisor event carries its `path` from the root, for example
 * `['root', 'AdderModule', 'AdderWorkers.add']`.
 */
export type StageEvent = GroupEvent | SupervisorEvent | ChannelEvent | RootEvent;
