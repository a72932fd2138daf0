import { Backoff } from '../backoff/backoff.js';
import type { BackoffOptions } from '../backoff/backoff-options.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { validateTimeout } from '../group/resolve-group-options.js';
import { validateIntensity } from '../group/restart-intensity.js';
import { RESTART_POLICIES, type RestartPolicy } from '../group/restart-policy.js';
import type { IntensityOptions } from '../group/task-group-options.js';
import type { SupervisedChild } from './child.js';
import { SUPERVISOR_STRATEGIES, type SupervisorStrategy } from './supervisor-strategy.js';
import { expectOneOf, expectRecord, rejectUnknownKeys } from '../util/option-checks.js';

/**
 * The default restart intensity of a supervisor: more than 3 restarts within 60 s and it gives
 * up. A child group retries on its own for about twelve seconds before it gives up (see
 * `TaskGroupOptions`), so the window has to be much longer than that for the limit ever to trip:
 * with these values a child group that keeps giving up makes its supervisor escalate on its
 * fourth give-up, after about 50 s.
 */
export const DEFAULT_SUPERVISOR_INTENSITY: IntensityOptions = Object.freeze({
  maxRestarts: 3,
  withinMs: 60_000,
});

/** How a supervisor runs its children. Validated once, when the supervisor is built. */
export interface SupervisorOptions {
  /** Names the supervisor in paths, events, logs, errors and the registry. Required, non-empty. */
  readonly name: string;
  /** What a child's failure does to its siblings; default `one-for-one`. */
  readonly strategy?: SupervisorStrategy;
  /**
   * The most restarts of children allowed within a sliding window, or `false` for no limit; past
   * it the supervisor gives up. One strategy restart counts once, however many children it takes.
   * Default: {@link DEFAULT_SUPERVISOR_INTENSITY}.
   */
  readonly intensity?: IntensityOptions | false;
  /**
   * When this supervisor's own parent restarts it after it escalated; default `on-failure`. A
   * supervisor never completes by itself, so `always` and `on-failure` behave the same.
   */
  readonly restart?: RestartPolicy;
  /**
   * A wait before each strategy restart, growing with the consecutive failures of the child that
   * exited; default `false`: restart at once (after yielding to the event loop). Children that are
   * groups already back off between their own task restarts.
   */
  readonly backoff?: BackoffOptions | false;
}

/** Options of one child, given to `Supervisor.add()`. */
export interface AddChildOptions {
  /**
   * How long the supervisor waits for this child to stop (on the supervisor's stop, a strategy
   * restart or `remove()`), in ms, before reporting it; passed to the child's `stop()`. Default:
   * none given, so the child stops by its own default (5 s for a group) and is trusted to keep it.
   */
  readonly shutdownTimeoutMs?: number;
}

/** Supervisor options with every default filled in. */
export interface ResolvedSupervisorOptions {
  readonly name: string;
  /** How the supervisor is named in errors: `supervisor "<name>"`. */
  readonly owner: string;
  readonly strategy: SupervisorStrategy;
  readonly intensity: IntensityOptions | false;
  readonly restart: RestartPolicy;
  /** The restart backoff, or `undefined` for none. */
  readonly backoff: Backoff | undefined;
}

const SUPERVISOR_KEYS: readonly string[] = ['name', 'strategy', 'intensity', 'restart', 'backoff'];

/**
 * Checks `input` and fills in the defaults.
 *
 * @throws {InvalidOptionError} naming `supervisor "<name>"` and the first bad option; an unknown
 * option (usually a typo) is rejected too.
 */
export function resolveSupervisorOptions(input: unknown): ResolvedSupervisorOptions {
  const options = expectRecord(input, 'a supervisor', 'options');
  const name = options['name'];
  if (typeof name !== 'string' || name.trim() === '') {
    throw new InvalidOptionError('a supervisor', 'name', name, 'a non-empty string');
  }
  const owner = `supervisor "${name}"`;
  rejectUnknownKeys(options, SUPERVISOR_KEYS, owner);

  const intensity = options['intensity'];
  const backoff = options['backoff'];
  return {
    name,
    owner,
    strategy: expectOneOf(
      options['strategy'],
      SUPERVISOR_STRATEGIES,
      'one-for-one',
      owner,
      'strategy',
    ),
    intensity:
      intensity === undefined
        ? DEFAULT_SUPERVISOR_INTENSITY
        : intensity === false
          ? false
          : validateIntensity(intensity, owner),
    restart: expectOneOf(options['restart'], RESTART_POLICIES, 'on-failure', owner, 'restart'),
    backoff:
      backoff === undefined || backoff === false
        ? undefined
        : new Backoff(backoff as BackoffOptions, owner),
  };
}

/**
 * Checks the options of `add()`.
 *
 * @throws {InvalidOptionError} naming the supervisor and the bad option.
 */
export function resolveAddChildOptions(input: unknown, owner: string): AddChildOptions {
  if (input === undefined) return {};
  const options = expectRecord(input, owner, 'child options');
  rejectUnknownKeys(options, ['shutdownTimeoutMs'], owner);
  const shutdownTimeoutMs = options['shutdownTimeoutMs'];
  if (shutdownTimeoutMs === undefined) return {};
  validateTimeout(shutdownTimeoutMs, owner, 'shutdownTimeoutMs');
  return { shutdownTimeoutMs };
}

/**
 * Checks that `child` looks like a {@link SupervisedChild}, for callers without types.
 *
 * @throws {InvalidOptionError} naming the supervisor and `child`.
 */
export function assertSupervisedChild(child: unknown, owner: string): void {
  const candidate = child as Partial<SupervisedChild> | null;
  const valid =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    candidate.name.trim() !== '' &&
    typeof candidate.start === 'function' &&
    typeof candidate.stop === 'function' &&
    typeof candidate.setParent === 'function';
  if (!valid) {
    const expected = 'a SupervisedChild (a name and start, stop and setParent methods)';
    throw new InvalidOptionError(owner, 'child', child, expected);
  }
}

/**
 * Checks the options of `stop()` and returns its time budget, if any.
 *
 * @throws {InvalidOptionError} naming the supervisor and `timeoutMs`.
 */
export function resolveStopBudget(input: unknown, owner: string): number | undefined {
  if (input === undefined) return undefined;
  const options = expectRecord(input, owner, 'stop options');
  const timeoutMs = options['timeoutMs'];
  if (timeoutMs === undefined) return undefined;
  validateTimeout(timeoutMs, owner, 'timeoutMs');
  return timeoutMs;
}
