import { RESTART_POLICIES, type RestartPolicy } from './restart-policy.js';
import { validateIntensity } from './restart-intensity.js';
import type { TaskFn } from './task-context.js';
import type { IntensityOptions, TaskGroupOptions } from './task-group-options.js';
import { Backoff, MAX_TIMER_MS } from '../backoff/backoff.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { expectOneOf } from '../util/option-checks.js';

/**
 * The largest group: a million tasks already take about a gigabyte of heap, and a size typed
 * with a few zeros too many would otherwise freeze the process, then crash it out of memory.
 */
export const MAX_GROUP_SIZE = 1_000_000;

/** The default shutdown deadline of a group, in ms. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;

/** The default intensity window, in ms. */
export const DEFAULT_INTENSITY_WINDOW_MS = 30_000;

/** Restarts allowed per task slot within the default window. */
export const DEFAULT_RESTARTS_PER_SLOT = 6;

/** A group's options once validated, with every default filled in. */
export interface ResolvedGroupOptions {
  readonly name: string;
  readonly owner: string;
  readonly task: TaskFn;
  readonly size: number;
  readonly restart: RestartPolicy;
  readonly backoff: Backoff;
  /** The intensity given, `false` for none, or `undefined` for the size-based default. */
  readonly intensity: IntensityOptions | false | undefined;
  readonly shutdownTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * Validates a group's options once, at construction.
 *
 * @throws {InvalidOptionError} Naming the group (`group "<name>"`), the option and the value.
 */
export function resolveGroupOptions(options: TaskGroupOptions): ResolvedGroupOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('a task group', 'options', options, 'an options object');
  }

  const { name } = options;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new InvalidOptionError('a task group', 'name', name, 'a non-empty string');
  }
  const owner = `group "${name}"`;

  if (typeof options.task !== 'function') {
    throw new InvalidOptionError(owner, 'task', options.task, 'a function (ctx) => Promise');
  }

  const size = options.size ?? 1;
  validateSize(size, owner);

  const restart = expectOneOf(options.restart, RESTART_POLICIES, 'on-failure', owner, 'restart');

  const intensity =
    options.intensity === undefined || options.intensity === false
      ? options.intensity
      : validateIntensity(options.intensity, owner);

  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  validateTimeout(shutdownTimeoutMs, owner, 'shutdownTimeoutMs');

  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidOptionError(owner, 'signal', signal, 'an AbortSignal');
  }

  return {
    name,
    owner,
    task: options.task,
    size,
    restart,
    backoff: new Backoff(options.backoff, owner),
    intensity,
    shutdownTimeoutMs,
    signal,
  };
}

/** The intensity a group uses when none was given: 6 restarts per slot (at least 6) in 30 s. */
export function defaultIntensity(size: number): IntensityOptions {
  return {
    maxRestarts: DEFAULT_RESTARTS_PER_SLOT * Math.max(1, size),
    withinMs: DEFAULT_INTENSITY_WINDOW_MS,
  };
}

/** @throws {InvalidOptionError} When `size` is not an integer from 0 to {@link MAX_GROUP_SIZE}. */
export function validateSize(size: unknown, owner: string): asserts size is number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_GROUP_SIZE) {
    throw new InvalidOptionError(owner, 'size', size, `an integer from 0 to ${MAX_GROUP_SIZE}`);
  }
}

/** @throws {InvalidOptionError} When `ms` is not a number from 0 to the longest Node timer. */
export function validateTimeout(ms: unknown, owner: string, option: string): asserts ms is number {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0 || ms > MAX_TIMER_MS) {
    throw new InvalidOptionError(owner, option, ms, `a number of ms from 0 to ${MAX_TIMER_MS}`);
  }
}
