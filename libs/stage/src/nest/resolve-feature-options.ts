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
export function resolveFeatureOptions(input: unknown): ResolvedFeatureOptions {
  const options = expectRecord(input, OWNER, 'options');
  rejectUnknownKeys(options, FEATURE_KEYS, OWNER);
  return {
    channels: resolveChannels(options['channels']),
    supervisor: resolveSupervisor(options['supervisor']),
  };
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

function resolveChannels(input: unknown): ChannelDeclaration[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) throw new InvalidOptionError(OWNER, 'channels', input, 'an array');

  const names = new Set<string>();
  return input.map((entry: unknown, index) => {
    const declaration = expectRecord(entry, OWNER, `channels[${index}]`);
    rejectUnknownKeys(declaration, CHANNEL_KEYS, OWNER, `channels[${index}].`);
    const name = declaration['name'];
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidOptionError(OWNER, `channels[${index}].name`, name, 'a non-empty string');
    }
    if (names.has(name)) {
      throw new InvalidOptionError(
        OWNER,
        `channels[${index}].name`,
        name,
        'a name not declared earlier in the same registration',
      );
    }
    names.add(name);
    return withoutUndefined(declaration) as unknown as ChannelDeclaration;
  });
}

function resolveSupervisor(input: unknown): ModuleSupervisorOptions | undefined {
  if (input === undefined) return undefined;
  const options = expectRecord(input, OWNER, 'supervisor');
  rejectUnknownKeys(options, SUPERVISOR_KEYS, OWNER, 'supervisor.');
  try {
    resolveSupervisorOptions({ name: 'module', ...options });
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      throw new InvalidOptionError(
        OWNER,
        `supervisor.${error.option}`,
        error.received,
        error.expected,
      );
    }
    throw error;
  }
  return withoutUndefined(options) as ModuleSupervisorOptions;
}
