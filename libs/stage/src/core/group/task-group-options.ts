import type { RestartPolicy } from './restart-policy.js';
import type { TaskFn } from './task-context.js';
import type { BackoffOptions } from '../backoff/backoff-options.js';

/** The restart intensity: past `maxRestarts` restarts within `withinMs`, the group gives up. */
export interface IntensityOptions {
  readonly maxRestarts: number;
  readonly withinMs: number;
}

/** How a group runs, restarts and stops its tasks. Validated once, when the group is built. */
export interface TaskGroupOptions {
  /** Names the group in events, logs, errors and the registry. Required, non-empty. */
  readonly name: string;
  /** The task every slot runs. */
  readonly task: TaskFn;
  /** How many tasks run at once. An integer from 0 to 1,000,000; default 1. */
  readonly size?: number;
  /** When an ended task is started again; default `on-failure`. */
  readonly restart?: RestartPolicy;
  /** The wait before a restart; see {@link BackoffOptions} for the defaults. */
  readonly backoff?: BackoffOptions;
  /**
   * The most restarts allowed within a sliding window before the group gives up, or `false` for
   * no limit. Default: `6 * size` restarts (at least 6) within 30 s, following `resize()`; with
   * the default backoff a group whose tasks fail at once on every start gives up after about
   * 12 s (between 6.3 and 18.9 s, as each wait is jittered).
   */
  readonly intensity?: IntensityOptions | false;
  /** How long `stop()` waits for tasks to settle before reporting them abandoned; default 5000. */
  readonly shutdownTimeoutMs?: number;
  /** A parent signal: when it fires, the group stops as if `stop()` had been called. */
  readonly signal?: AbortSignal;
}
