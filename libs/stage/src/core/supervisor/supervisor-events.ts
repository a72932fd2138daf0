import type { SupervisorGaveUpError } from '../errors/supervisor-gave-up-error.js';
import type { ChildExit } from './child.js';
import type { ChildStopReport, SupervisorStopReport } from './supervisor-stop-report.js';
import type { SupervisorStrategy } from './supervisor-strategy.js';

/** Fields every supervisor event carries. */
interface SupervisorEventBase {
  /** The supervisor's name. */
  readonly supervisor: string;
  /** The supervisor's place in the tree, from the root down, ending with its own name. */
  readonly path: readonly string[];
}

/** Fields of an event about one child. */
interface ChildEventBase extends SupervisorEventBase {
  /** The child's name. */
  readonly child: string;
}

/**
 * What the supervisor does about a child that exited on its own.
 *
 * - `restart`: its restart policy asks for a restart; the strategy applies (see `restarting`).
 * - `ended`: its policy leaves it ended (`never`, or `on-failure` after a completion).
 * - `absorbed`: it exited while already being stopped or restarted, or while the supervisor was
 *   stopping: nothing more happens, and nothing is counted.
 * - `escalate`: the restart would exceed the intensity: the supervisor gives up.
 * - `shutdown`: (root only, with `onGiveUp`) the failure is handed to `onGiveUp`.
 */
export type ExitDecision = 'restart' | 'ended' | 'absorbed' | 'escalate' | 'shutdown';

/** Why a child was started. */
export type ChildStartReason = 'start' | 'restart' | 'add' | 'start-child';

/** Everything a supervisor reports, discriminated by `type`. */
export type SupervisorEvent =
  /** A run of the supervisor began; its children start next, in order. */
  | (SupervisorEventBase & { readonly type: 'started' })
  | (ChildEventBase & { readonly type: 'child-added' })
  | (ChildEventBase & { readonly type: 'child-started'; readonly reason: ChildStartReason })
  | (ChildEventBase & {
      readonly type: 'child-exited';
      readonly exit: ChildExit;
      readonly decision: ExitDecision;
    })
  | (SupervisorEventBase & {
      /** A strategy restart: `children` are stopped in reverse order, then started in order. */
      readonly type: 'restarting';
      readonly strategy: SupervisorStrategy;
      /** The child whose exit caused the restart. */
      readonly child: string;
      /** Every child the restart takes, in start order, `child` included. */
      readonly children: readonly string[];
      /** The wait between stopping and starting them, in ms. */
      readonly delayMs: number;
      /** The consecutive exits of `child` that called for a restart (from 1): what `delayMs` grew with. */
      readonly failures: number;
    })
  | (ChildEventBase & {
      /**
       * The supervisor stopped one child outside its own stop: on purpose with `stopChild()`, to
       * `remove()` it, or as part of a strategy `restart` (reported then only when the child did
       * not stop cleanly: it abandoned tasks, timed out or its `stop()` failed).
       */
      readonly type: 'child-stopped';
      readonly reason: 'stop-child' | 'restart' | 'remove';
      readonly report: ChildStopReport;
    })
  | (ChildEventBase & {
      /**
       * A child left the supervisor: `removed` by `remove()`, or `never-restarted`: a child with
       * the `never` policy that a sibling's restart stopped.
       */
      readonly type: 'child-removed';
      readonly reason: 'removed' | 'never-restarted';
    })
  | (SupervisorEventBase & {
      /** The intensity was exceeded: the supervisor stops all its children, then escalates. */
      readonly type: 'intensity-exceeded';
      readonly error: SupervisorGaveUpError;
    })
  | (SupervisorEventBase & {
      /** The children are stopped and `error` went to the parent (`to`), if there is one. */
      readonly type: 'escalated';
      readonly error: SupervisorGaveUpError;
      readonly to: readonly string[] | undefined;
      readonly report: SupervisorStopReport;
    })
  | (SupervisorEventBase & { readonly type: 'stopped'; readonly report: SupervisorStopReport })
  | (SupervisorEventBase & {
      /**
       * User code the supervisor called threw (an event listener, a child's `start()`, `stop()`
       * or `setParent()`, the parent's `childExited()`, `onGiveUp`); the supervisor carried on.
       */
      readonly type: 'hook-failed';
      readonly hook: string;
      readonly error: Error;
    });

export type SupervisorEventType = SupervisorEvent['type'];

/** A listener of supervisor events. A listener that throws is reported as `hook-failed`. */
export type SupervisorListener = (event: SupervisorEvent) => void;
