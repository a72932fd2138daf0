import { StageError } from './stage-error.js';
import { messageOf } from './thrown-value-error.js';
import { countOf } from '../util/count-of.js';
import type { IntensityOptions } from '../group/task-group-options.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_GROUP_GAVE_UP: GroupGaveUpError;
  }
}

/**
 * A task group needed more restarts within its intensity window than allowed, so it gave up: it
 * stopped its tasks and reported this error to its parent (and to `scope()`). The last failure
 * is the `cause` (absent when the
 * restarts followed completions under `restart: 'always'`).
 */
export class GroupGaveUpError extends StageError {
  readonly code = 'STAGE_GROUP_GAVE_UP' as const;
  /** The group's name. */
  readonly group: string;
  /** The group's place in the supervision tree, ending with its own name. */
  readonly path: readonly string[];
  /** The intensity that was exceeded. */
  readonly limit: IntensityOptions;

  constructor(details: {
    readonly group: string;
    readonly path: readonly string[];
    readonly limit: IntensityOptions;
    /** The last failure; absent when only completions were restarted (`restart: 'always'`). */
    readonly cause?: Error;
  }) {
    const { group, path, limit, cause } = details;
    const last = cause
      ? `Last failure: ${asSentence(messageOf(cause))}`
      : `Its tasks completed at once each time under restart: 'always'.`;
    super(
      `Group "${path.join('/')}" gave up: its tasks needed more than ` +
        `${countOf(limit.maxRestarts, 'restart')} within ${limit.withinMs} ms. ${last} Fix what ` +
        `makes the task end so soon, or raise the group's "intensity" option.`,
      cause ? { cause } : undefined,
    );
    this.group = group;
    this.path = path;
    this.limit = limit;
  }
}

/** `text` ending with one full stop: a message that already ends a sentence keeps its own. */
function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
