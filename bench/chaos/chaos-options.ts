import { InvalidOptionError } from 'nestjs-stage';
import { canCollectGarbage } from '../harness/statistics.js';

/** The parameters of a chaos run. Only `seed`, `messages` and `durationMs` are required. */
export interface ChaosOptions {
  /** Seeds every random choice: message fates, routing, timeouts and the chaos actions. */
  readonly seed: number;
  /** How many messages to send, over both channels. */
  readonly messages: number;
  /** The longest the sending phase may last, in ms; sending stops early when it is over. */
  readonly durationMs: number;
  /** The share of deliveries that fail (half before the work, half after it); default 0.02. */
  readonly failureRate?: number;
  /** The share of messages that fail on every delivery, to be dead-lettered; default 0.001. */
  readonly poisonRate?: number;
  /** The share of handler deliveries that hang past the handler timeout; default 0.0005. */
  readonly hangRate?: number;
  /** The share of handler-channel messages sent as requests; default 0.3. */
  readonly requestShare?: number;
  /** Tasks per consumer group; default 4. */
  readonly consumers?: number;
  /** The longest the final drain may last, in ms; default 20,000. */
  readonly drainTimeoutMs?: number;
  /**
   * Whether heap growth counts as a violation; default: only when `global.gc()` is available
   * (`--expose-gc`), since without a full GC the heap figures include garbage.
   */
  readonly checkHeap?: boolean;
  /** Receives a progress line now and then; default: silent. */
  readonly onProgress?: (line: string) => void;
}

/** {@link ChaosOptions} with every default filled in. */
export type ResolvedChaosOptions = Required<ChaosOptions>;

/**
 * Fills in the defaults and checks every value.
 *
 * @throws {InvalidOptionError} naming `chaos run` and the first bad option.
 */
export function resolveChaosOptions(options: ChaosOptions): ResolvedChaosOptions {
  const resolved: ResolvedChaosOptions = {
    failureRate: 0.02,
    poisonRate: 0.001,
    hangRate: 0.0005,
    requestShare: 0.3,
    consumers: 4,
    drainTimeoutMs: 20_000,
    onProgress: () => undefined,
    checkHeap: canCollectGarbage(),
    ...options,
  };
  integer('seed', resolved.seed, 0);
  integer('messages', resolved.messages, 1);
  integer('durationMs', resolved.durationMs, 1);
  integer('consumers', resolved.consumers, 1);
  integer('drainTimeoutMs', resolved.drainTimeoutMs, 0);
  for (const option of ['failureRate', 'poisonRate', 'hangRate', 'requestShare'] as const) {
    const value = resolved[option];
    if (!(typeof value === 'number' && value >= 0 && value <= 1)) {
      throw new InvalidOptionError('chaos run', option, value, 'a number from 0 to 1');
    }
  }
  if (resolved.failureRate + resolved.hangRate > 0.5) {
    const sum = resolved.failureRate + resolved.hangRate;
    throw new InvalidOptionError('chaos run', 'failureRate + hangRate', sum, 'at most 0.5');
  }
  return resolved;
}

function integer(option: string, value: unknown, minimum: number): void {
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= minimum)) {
    throw new InvalidOptionError('chaos run', option, value, `an integer >= ${minimum}`);
  }
}
