import { StageError } from './stage-error.js';
import { messageOf } from './thrown-value-error.js';
import { countOf } from '../util/count-of.js';
import type { IntensityOptions } from '../group/task-group-options.js';
import type { ChildExit } from '../supervisor/child.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_SUPERVISOR_GAVE_UP: SupervisorGaveUpError;
  }
}

/** What a {@link SupervisorGaveUpError} is built from. */
export interface SupervisorGaveUpErrorOptions {
  /** The path of the supervisor that gave up, from the root down. */
  readonly path: readonly string[];
  /** The path of the child whose exit went over the limit. */
  readonly child: readonly string[];
  /** How that child ended. A failure's error becomes this error's `cause`. */
  readonly exit: ChildExit;
  /** The restart intensity that was exceeded. */
  readonly intensity: IntensityOptions;
}

/**
 * A supervisor's children needed more restarts than its restart intensity allows, so it stopped
 * them all (in reverse start order) and escalated this error to its own parent.
 *
 * `cause` is the error of the child exit that went over the limit: when that child is itself a
 * group that gave up or a supervisor that escalated, following `cause` down (see `causeChain`)
 * walks the tree to the task error that started it all.
 */
export class SupervisorGaveUpError extends StageError {
  readonly code = 'STAGE_SUPERVISOR_GAVE_UP' as const;
  /** The path of the supervisor that gave up, from the root down. */
  readonly path: readonly string[];
  /** The path of the child whose exit went over the limit. */
  readonly child: readonly string[];
  /** How that child ended. */
  readonly exit: ChildExit;
  /** The restart intensity that was exceeded. */
  readonly intensity: IntensityOptions;

  constructor(options: SupervisorGaveUpErrorOptions) {
    const { path, child, exit, intensity } = options;
    const last =
      exit.kind === 'failed'
        ? `"${child.join('/')}" failed: ${messageOf(exit.error)}`
        : `"${child.join('/')}" completed, and its restart policy is "always"`;
    super(
      `Supervisor "${path.join('/')}" gave up: its children needed more than ` +
        `${countOf(intensity.maxRestarts, 'restart')} within ${intensity.withinMs} ms ` +
        `(the last: ${last}). It stopped all its children and escalated to its parent. Fix the ` +
        `failure in the cause chain, or raise the supervisor's "intensity" if such restarts are ` +
        `expected.`,
      exit.kind === 'failed' ? { cause: exit.error } : undefined,
    );
    this.path = path;
    this.child = child;
    this.exit = exit;
    this.intensity = intensity;
  }
}
