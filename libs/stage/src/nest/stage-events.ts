import type { GroupEvent } from '../core/group/group-events.js';

/** Fields every event of the application's root policy carries. */
interface RootEventBase {
  /** The group the decision is about. */
  readonly group: string;
  readonly path: readonly string[];
  /** The error the group gave up with. */
  readonly error: Error;
}

/**
 * A decision of the application's root policy about a group that gave up (see
 * `StageModuleOptions.onGiveUp`), discriminated by `type`.
 */
export type RootEvent =
  | (RootEventBase & {
      /** The group will be started again after `delayMs`; until then it reports unhealthy. */
      readonly type: 'root-restart-scheduled';
      readonly delayMs: number;
      /** The consecutive give-ups of the group that led to this wait, from 1. */
      readonly giveUps: number;
    })
  | (RootEventBase & {
      /** The application is being shut down because of this group. */
      readonly type: 'root-shutdown';
    });

/** Everything `StageRegistry.events$` carries: every group's events and the root's decisions. */
export type StageEvent = GroupEvent | RootEvent;
