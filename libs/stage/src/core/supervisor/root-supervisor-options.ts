import type { BackoffOptions } from '../backoff/backoff-options.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { knownOptions } from '../util/option-checks.js';
import type { SupervisorOptions } from './supervisor-options.js';
import type { SupervisorStrategy } from './supervisor-strategy.js';

/**
 * The default wait before the root restarts a child that gave up: 30 s, doubling on each
 * consecutive give-up up to 5 min, without jitter (give-ups are rare and the waits long; a fixed
 * schedule reads better in logs). A child that ran 10 min before giving up again starts the
 * schedule over. The same schedule as the Nest layer's `onGiveUp: { action: 'restart' }`.
 */
export const DEFAULT_ROOT_BACKOFF: Required<Omit<BackoffOptions, 'random'>> = Object.freeze({
  minMs: 30_000,
  maxMs: 300_000,
  factor: 2,
  jitter: 0,
  resetAfterMs: 600_000,
});

/** What `onGiveUp` learns about the child whose failure reached the root. */
export interface RootGiveUpReport {
  /** The child's name. */
  readonly child: string;
  readonly path: readonly string[];
  /** The error it failed with: a group's or supervisor's give-up error, with its cause chain. */
  readonly error: Error;
}

/** How the root supervisor runs the top of the tree. Validated once, when it is built. */
export interface RootSupervisorOptions {
  /** Names the root in paths, events and errors; default `root`. */
  readonly name?: string;
  /** What a child's failure does to its siblings; default `one-for-one`. */
  readonly strategy?: SupervisorStrategy;
  /**
   * The wait before restarting a child that failed, merged field by field over
   * {@link DEFAULT_ROOT_BACKOFF}. The root has no intensity: it never gives up by itself; this
   * wait is what paces it.
   */
  readonly backoff?: BackoffOptions;
  /**
   * When set, the root does not restart a failed child: it leaves it ended, reports `gave-up`
   * health and calls this once per run, with the first failure, so that the application can shut
   * down and let an outside supervisor (Kubernetes, systemd) restart it. Later failures are only
   * reported (as `child-exited` events with the decision `shutdown`). The callback may be async;
   * a throw or a rejection is reported as a `hook-failed` event, never thrown. The root's other
   * children keep running until whoever handles the callback stops the root.
   *
   * In a Nest application Stage builds the root itself: configure it with
   * `StageModule.forRoot({ onGiveUp: { action: 'shutdown' } })`, a policy object from which Stage
   * makes this callback, not with a function.
   */
  readonly onGiveUp?: (report: RootGiveUpReport) => void;
}

const ROOT_KEYS: readonly string[] = ['name', 'strategy', 'backoff', 'onGiveUp'];

/**
 * Checks the root-only options and turns the rest into supervisor options (which the supervisor
 * then validates): no intensity, the `always` policy and the long default backoff.
 *
 * @throws {InvalidOptionError} naming `supervisor "<name>"` and the first bad option.
 */
export function rootSupervisorOptions(input: RootSupervisorOptions | undefined): {
  readonly supervisor: SupervisorOptions;
  readonly onGiveUp: RootSupervisorOptions['onGiveUp'];
} {
  const options = input ?? {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('the root supervisor', 'options', options, 'an object');
  }
  const name = options.name ?? 'root';
  const owner = typeof name === 'string' ? `supervisor "${name}"` : 'the root supervisor';
  for (const key of Object.keys(options)) {
    if (!ROOT_KEYS.includes(key)) {
      const value: unknown = (options as Record<string, unknown>)[key];
      throw new InvalidOptionError(owner, key, value, knownOptions(key, ROOT_KEYS));
    }
  }

  const { onGiveUp, backoff } = options;
  if (onGiveUp !== undefined && typeof onGiveUp !== 'function') {
    throw new InvalidOptionError(owner, 'onGiveUp', onGiveUp, 'a function');
  }
  if (backoff !== undefined && (typeof backoff !== 'object' || backoff === null)) {
    throw new InvalidOptionError(owner, 'backoff', backoff, 'an object of backoff options');
  }

  return {
    supervisor: {
      name,
      ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
      intensity: false,
      restart: 'always',
      backoff: { ...DEFAULT_ROOT_BACKOFF, ...withoutUndefined(backoff ?? {}) },
    },
    onGiveUp,
  };
}

function withoutUndefined(record: BackoffOptions): BackoffOptions {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
