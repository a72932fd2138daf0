import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { resolveSupervisorOptions } from '../core/supervisor/supervisor-options.js';
import type {
  ChannelDeclaration,
  ModuleSupervisorOptions,
  StageFeatureOptions,
} from './stage-feature-options.js';
import { withoutUndefined } from './without-undefined.js';
import { expectRecord, rejectUnknownKeys } from '../core/util/option-checks.js';

/** How feature options are named in errors. */
const OWNER = 'StageModule.forFeature options';

const FEATURE_KEYS: readonly string[] = ['channels', 'supervisor'];
const SUPERVISOR_KEYS: readonly string[] = ['strategy', 'intensity', 'backoff'];
/** The options of a channel declaration, so that a typo is caught by name. */
const CHANNEL_KEYS: readonly string[] = [
  'name',
  'capacity',
  'overflow',
  'maxDeliveries',
  'redelivery',
  'deadLetterCapacity',
  'drainTimeoutMs',
  'storage',
];

/** Feature options, checked, with `undefined` fields left out. */
export interface ResolvedFeatureOptions {
  readonly channels: readonly ChannelDeclaration[];
  readonly supervisor: ModuleSupervisorOptions | undefined;
}

/**
 * Checks the shape of feature options: known keys, channel names present and unique, supervisor
 * options valid by the core's rules. Channel option values are checked by the core when the
 * channel is built, with errors naming `channel "<name>"`.
 *
 * @throws InvalidOptionError naming the first bad option, with owner `StageModule.forFeature
 * options`.
 */
export function resolveFeatureOptions(input: unknown, owner = OWNER): ResolvedFeatureOptions {
  const options = expectRecord(input, owner, 'options');
  // `strategy` given beside `channels` means `supervisor.strategy`: say so.
  rejectUnknownKeys(options, FEATURE_KEYS, owner, '', { supervisor: SUPERVISOR_KEYS });
  return {
    channels: resolveChannels(options['channels'], owner),
    supervisor: resolveSupervisor(options['supervisor'], owner),
  };
}

/** How `forFeatureAsync` options are named in errors. */
const ASYNC_OWNER = 'StageModule.forFeatureAsync options';

/**
 * Checks `StageModule.forFeatureAsync()` options when the module is defined: a factory, and the
 * channel names as a list of distinct non-empty strings. Returns the names.
 *
 * @throws InvalidOptionError naming the bad option.
 */
export function asyncChannelNames(input: unknown): readonly string[] {
  const options = expectRecord(input, ASYNC_OWNER, 'options');
  rejectUnknownKeys(options, ['channels', 'useFactory', 'inject', 'imports'], ASYNC_OWNER);
  if (typeof options['useFactory'] !== 'function') {
    throw new InvalidOptionError(ASYNC_OWNER, 'useFactory', options['useFactory'], 'a function');
  }
  const names: unknown = options['channels'];
  if (!Array.isArray(names)) {
    throw new InvalidOptionError(
      ASYNC_OWNER,
      'channels',
      names,
      'an array of the channel names the factory declares ([] for none)',
    );
  }
  names.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || name.trim() === '' || names.indexOf(name) !== index) {
      throw new InvalidOptionError(
        ASYNC_OWNER,
        `channels[${index}]`,
        name,
        'a non-empty channel name, listed once',
      );
    }
  });
  return names as string[];
}

/**
 * Checks what a `forFeatureAsync` factory resolved, as `resolveFeatureOptions` does, and that it
 * declares exactly the channels listed when the module was defined.
 *
 * @throws InvalidOptionError naming the bad option, or the first name missing on either side.
 */
export function resolveAsyncFeatureOptions(
  input: unknown,
  names: readonly string[],
): ResolvedFeatureOptions {
  const resolved = resolveFeatureOptions(input, 'the StageModule.forFeatureAsync factory');
  const declared = resolved.channels.map((channel) => channel.name);
  const unlisted = declared.find((name) => !names.includes(name));
  if (unlisted !== undefined) {
    throw new InvalidOptionError(
      'the StageModule.forFeatureAsync factory',
      'channels',
      unlisted,
      `only the channels listed in forFeatureAsync({ channels }) (${names.join(', ') || 'none'}); ` +
        `add "${unlisted}" to that list`,
    );
  }
  const missing = names.find((name) => !declared.includes(name));
  if (missing !== undefined) {
    throw new InvalidOptionError(
      'the StageModule.forFeatureAsync factory',
      'channels',
      declared,
      `a declaration of every channel listed in forFeatureAsync({ channels }), "${missing}" ` +
        `included`,
    );
  }
  return resolved;
}

/** The names of the well-formed channel declarations of `options`, to build their providers. */
export function declaredChannelNames(options: StageFeatureOptions | undefined): string[] {
  const channels: unknown = options?.channels;
  if (!Array.isArray(channels)) return [];
  return channels.flatMap((channel: unknown) => {
    const name: unknown = (channel as { name?: unknown } | null)?.name;
    return typeof name === 'string' && name.trim() !== '' ? [name] : [];
  });
}

function resolveChannels(input: unknown, owner: string): ChannelDeclaration[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) throw new InvalidOptionError(owner, 'channels', input, 'an array');

  const names = new Set<string>();
  return input.map((entry: unknown, index) => {
    const declaration = expectRecord(entry, owner, `channels[${index}]`);
    rejectUnknownKeys(declaration, CHANNEL_KEYS, owner, `channels[${index}].`);
    const name = declaration['name'];
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidOptionError(owner, `channels[${index}].name`, name, 'a non-empty string');
    }
    if (names.has(name)) {
      throw new InvalidOptionError(
        owner,
        `channels[${index}].name`,
        name,
        'a name not declared earlier in the same registration',
      );
    }
    names.add(name);
    return withoutUndefined(declaration) as unknown as ChannelDeclaration;
  });
}

function resolveSupervisor(input: unknown, owner: string): ModuleSupervisorOptions | undefined {
  if (input === undefined) return undefined;
  const options = expectRecord(input, owner, 'supervisor');
  rejectUnknownKeys(options, SUPERVISOR_KEYS, owner, 'supervisor.');
  try {
    resolveSupervisorOptions({ name: 'module', ...options });
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      throw new InvalidOptionError(
        owner,
        `supervisor.${error.option}`,
        error.received,
        error.expected,
      );
    }
    throw error;
  }
  return withoutUndefined(options) as ModuleSupervisorOptions;
}
