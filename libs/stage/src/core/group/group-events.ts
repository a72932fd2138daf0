import type { StopReport } from './stop-report.js';

/** Fields every group event carries. */
interface GroupEventBase {
  /** The group's name. */
  readonly group: string;
  /** The group's place in the supervision tree, from the root down, ending with its own name. */
  readonly path: readonly string[];
}

/** Fields of an event about one run of one task. */
interface TaskEventBase extends GroupEventBase {
  readonly index: number;
  readonly attempt: number;
}

/** Everything a group reports, discriminated by `type`. */
export type GroupEvent =
  | (TaskEventBase & { readonly type: 'started' })
  | (TaskEventBase & { readonly type: 'completed' })
  | (TaskEventBase & { readonly type: 'failed'; readonly error: Error })
  | (TaskEventBase & { readonly type: 'task-stopped' })
  | (TaskEventBase & {
      /** A restart is scheduled; `attempt` is the attempt that will start after the wait. */
      readonly type: 'restarting';
      /** The wait before the restart, in ms. */
      readonly delayMs: number;
      /** The consecutive failures of this slot that led to this wait (0 after a completion). */
      readonly failures: number;
    })
  | (GroupEventBase & { readonly type: 'gave-up'; readonly error: Error })
  | (GroupEventBase & { readonly type: 'stopped'; readonly report: StopReport })
  | (GroupEventBase & {
      /** A user callback (an event listener, a custom hook) threw; the group carried on. */
      readonly type: 'hook-failed';
      readonly hook: string;
      readonly error: Error;
    });

export type GroupEventType = GroupEvent['type'];

/** A listener of group events. A listener that throws is reported as `hook-failed`. */
export type GroupListener = (event: GroupEvent) => void;
