import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { MAX_TIMER_MS } from '../core/backoff/backoff.js';
import { resolveGroupOptions } from '../core/group/resolve-group-options.js';
import { shutdownBySignal } from './shutdown-by-signal.js';
import { withoutUndefined } from './without-undefined.js';
import {
  DEFAULT_ROOT_RESTART_BACKOFF,
  type GroupDefaults,
  type ResolvedStageOptions,
  type RootRestartBackoff,
} from './stage-module-options.js';
import { expectRecord, type NestedOptions, rejectUnknownKeys } from '../core/util/option-checks.js';

/** How the root options are named in errors. */
const OWNER = 'StageModule options';

const ROOT_KEYS = ['groups', 'onGiveUp', 'logging', 'skipScopedProviders'] as const;
const GROUP_DEFAULT_KEYS = ['restart', 'backoff', 'intensity', 'shutdownTimeoutMs'] as const;
const RESTART_BACKOFF_KEYS = ['minMs', 'maxMs', 'factor', 'resetAfterMs'] as const;
/**
 * Options one level down that an unknown root key most likely meant: `shutdownTimeoutMs` is
 * `groups.shutdownTimeoutMs`, `action` is `onGiveUp.action`. (`backoff`, found under both, is
 * pointed to `groups`, which comes first in `ROOT_KEYS`.)
 */
const NESTED_KEYS: NestedOptions = {
  groups: GROUP_DEFAULT_KEYS,
  onGiveUp: ['action', 'shutdown'],
};

/**
 * Validates root options (as given to `forRoot()` or resolved by `forRootAsync()`) and fills in
 * the defaults.
 *
 * @throws InvalidOptionError naming the first bad option, with owner `StageModule options`. The
 * group defaults are checked by the core's own rules, so they fail exactly as a group's option
 * would.
 */
export function resolveStageOptions(input: unknown): ResolvedStageOptions {
  const options = expectRecord(input, OWNER, 'options');
  rejectUnknownKeys(options, ROOT_KEYS, OWNER, '', NESTED_KEYS);

  return {
    groups: resolveGroupDefaults(options['groups']),
    onGiveUp: resolveGiveUpPolicy(options['onGiveUp']),
    logging: expectBoolean(options['logging'], 'logging', true),
    skipScopedProviders: expectBoolean(
      options['skipScopedProviders'],
      'skipScopedProviders',
      false,
    ),
  };
}

function resolveGroupDefaults(input: unknown): GroupDefaults {
  if (input === undefined) return {};
  const defaults = expectRecord(input, OWNER, 'groups');
  rejectUnknownKeys(defaults, GROUP_DEFAULT_KEYS, OWNER, 'groups.');

  try {
    // The core's own validation, so the defaults fail exactly as a group's options would.
    resolveGroupOptions({ name: 'StageModule defaults', task: () => undefined, ...defaults });
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      throw new InvalidOptionError(OWNER, `groups.${error.option}`, error.received, error.expected);
    }
    throw error;
  }
  return withoutUndefined(defaults) as GroupDefaults;
}

function resolveGiveUpPolicy(input: unknown): ResolvedStageOptions['onGiveUp'] {
  if (input === undefined) return { action: 'restart', backoff: DEFAULT_ROOT_RESTART_BACKOFF };
  const policy = expectRecord(input, OWNER, 'onGiveUp');
  const action = policy['action'];

  if (action === 'restart') {
    rejectUnknownKeys(policy, ['action', 'backoff'], OWNER, 'onGiveUp.');
    return { action, backoff: resolveRestartBackoff(policy['backoff']) };
  }
  if (action === 'shutdown') {
    rejectUnknownKeys(policy, ['action', 'shutdown'], OWNER, 'onGiveUp.');
    const shutdown = policy['shutdown'];
    if (shutdown !== undefined && typeof shutdown !== 'function') {
      throw new InvalidOptionError(OWNER, 'onGiveUp.shutdown', shutdown, 'a function');
    }
    return { action, shutdown: (shutdown as typeof shutdownBySignal) ?? shutdownBySignal };
  }
  throw new InvalidOptionError(OWNER, 'onGiveUp.action', action, '"restart" or "shutdown"');
}

function resolveRestartBackoff(input: unknown): Required<RootRestartBackoff> {
  if (input === undefined) return DEFAULT_ROOT_RESTART_BACKOFF;
  const backoff = expectRecord(input, OWNER, 'onGiveUp.backoff');
  rejectUnknownKeys(backoff, RESTART_BACKOFF_KEYS, OWNER, 'onGiveUp.backoff.');
  const resolved = { ...DEFAULT_ROOT_RESTART_BACKOFF, ...withoutUndefined(backoff) };

  const checks: readonly [keyof RootRestartBackoff, number, string][] = [
    ['minMs', 0, 'a number of ms >= 0'],
    ['maxMs', resolved.minMs, `a number of ms >= minMs (${String(resolved.minMs)})`],
    ['factor', 1, 'a number >= 1'],
    ['resetAfterMs', 0, 'a number of ms >= 0'],
  ];
  for (const [key, least, expected] of checks) {
    const value: unknown = resolved[key];
    const isTimer = key !== 'factor';
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < least ||
      (isTimer && value > MAX_TIMER_MS)
    ) {
      const range = isTimer ? `${expected} and <= ${MAX_TIMER_MS}` : expected;
      throw new InvalidOptionError(OWNER, `onGiveUp.backoff.${key}`, value, range);
    }
  }
  return resolved;
}

function expectBoolean(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionError(OWNER, option, value, 'a boolean');
  return value;
}
