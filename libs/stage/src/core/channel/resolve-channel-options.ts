import type { ChannelOptions, OverflowMode } from './channel-options.js';
import { OVERFLOW_MODES } from './channel-options.js';
import { isSharedStorage } from './channel-storage.js';
import type { ChannelStorage } from './channel-storage.js';
import { MemoryChannelStorage } from './memory-channel-storage.js';
import { Backoff, MAX_TIMER_MS } from '../backoff/backoff.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { expectOneOf } from '../util/option-checks.js';

/** Channel options with every default applied, checked once. Internal. */
export interface ResolvedChannelOptions<TMessage> {
  readonly name: string;
  readonly capacity: number;
  readonly overflow: OverflowMode;
  readonly maxDeliveries: number;
  readonly drainTimeoutMs: number;
  readonly storage: ChannelStorage<TMessage>;
  /** The redelivery wait, by the number of failed deliveries. */
  readonly redelivery: Backoff;
}

const STORAGE_METHODS = [
  'append',
  'prepend',
  'requeue',
  'takeNext',
  'remove',
  'settle',
  'addDeadLetter',
  'deadLetters',
  'takeDeadLetters',
  'close',
] as const;

/**
 * Checks channel options and applies the defaults.
 *
 * @throws InvalidOptionError naming `channel "<name>"` and the option, on the first bad value.
 */
export function resolveChannelOptions<TMessage>(
  options: ChannelOptions<TMessage>,
): ResolvedChannelOptions<TMessage> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('a channel', 'options', options, 'an object with a name');
  }
  const { name } = options;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new InvalidOptionError('a channel', 'name', name, 'a non-empty string');
  }
  const owner = `channel "${name}"`;
  const capacity = integerAtLeast(owner, 'capacity', options.capacity, 1, 1024);
  const maxDeliveries = integerAtLeast(owner, 'maxDeliveries', options.maxDeliveries, 1, 5);
  const drainTimeoutMs = timerMsAtLeast(owner, 'drainTimeoutMs', options.drainTimeoutMs, 0, 5000);
  const overflow = expectOneOf(options.overflow, OVERFLOW_MODES, 'wait', owner, 'overflow');
  const storage = resolveStorage(owner, options);
  if (overflow === 'drop-oldest' && isSharedStorage(storage)) {
    throw new InvalidOptionError(
      owner,
      'overflow',
      overflow,
      'wait, reject or drop-newest with a storage shared between processes (the oldest ' +
        "message may already be in another replica's hands)",
    );
  }
  return {
    name,
    capacity,
    overflow,
    maxDeliveries,
    drainTimeoutMs,
    storage,
    redelivery: new Backoff(options.redelivery, owner, 'redelivery'),
  };
}

function resolveStorage<TMessage>(
  owner: string,
  options: ChannelOptions<TMessage>,
): ChannelStorage<TMessage> {
  const { storage } = options;
  if (storage === undefined) {
    const deadLetterCapacity = integerAtLeast(
      owner,
      'deadLetterCapacity',
      options.deadLetterCapacity,
      0,
      1024,
    );
    return new MemoryChannelStorage<TMessage>({ deadLetterCapacity });
  }
  if (options.deadLetterCapacity !== undefined) {
    throw new InvalidOptionError(
      owner,
      'deadLetterCapacity',
      options.deadLetterCapacity,
      'no value when a storage is given (configure the storage instead)',
    );
  }
  const missing = STORAGE_METHODS.find(
    (method) => typeof (storage as unknown as Record<string, unknown>)[method] !== 'function',
  );
  if (storage === null || typeof storage !== 'object' || missing !== undefined) {
    throw new InvalidOptionError(
      owner,
      'storage',
      storage,
      `a ChannelStorage (missing method ${missing ?? 'all'})`,
    );
  }
  return storage;
}

/** Reads an optional integer option; `fallback` when absent. */
export function integerAtLeast(
  owner: string,
  option: string,
  value: unknown,
  minimum: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new InvalidOptionError(owner, option, value, `an integer >= ${minimum}`);
  }
  return value;
}

/**
 * Checks that a duration about to arm a timer is at most {@link MAX_TIMER_MS}, the longest timer
 * Node arms (it fires a longer one after 1 ms); returns it.
 *
 * @throws InvalidOptionError naming `owner` and `option` otherwise.
 */
export function withinTimerRange(owner: string, option: string, value: number): number {
  if (value > MAX_TIMER_MS) {
    throw new InvalidOptionError(owner, option, value, `at most ${MAX_TIMER_MS} ms`);
  }
  return value;
}

/**
 * Reads an optional duration that arms a timer: a number of ms from `minimum` to
 * {@link MAX_TIMER_MS}, the longest timer Node arms (it fires a longer one after 1 ms, so a
 * longer timeout would expire at once); `fallback` when absent.
 */
export function timerMsAtLeast(
  owner: string,
  option: string,
  value: unknown,
  minimum: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < minimum || value > MAX_TIMER_MS) {
    throw new InvalidOptionError(
      owner,
      option,
      value,
      `a number of ms from ${minimum} to ${MAX_TIMER_MS}`,
    );
  }
  return value;
}
