import { type ChannelStorage, InvalidOptionError } from 'nestjs-stage';

import type { Operands } from './adder/addition.js';

/** How the demo application runs. Every field is optional; see each for its default. */
export interface AppOptions {
  /** The chance that a worker crashes while holding a request, from 0 to 1; default 0.02. */
  readonly crashRate?: number;
  /** Seeds the crash injector and the restart jitter, so runs can be repeated; default 1. */
  readonly seed?: number;
  /** First degree: how long the HTTP handler waits for a reply before retrying; default 100 ms. */
  readonly retryAfterMs?: number;
  /** First degree: how many times a request is queued in all before a 503; default 20. */
  readonly maxAttempts?: number;
  /** Second degree: how long a request waits for its reply before a 504; default 10,000 ms. */
  readonly requestTimeoutMs?: number;
  /**
   * Second degree: how long each addition takes, in ms, as if the handler did some I/O; default
   * 0. The Redis demo sets it so that a replica killed mid-run is caught holding messages.
   */
  readonly addWorkMs?: number;
  /**
   * Second degree: where the `adder` channel keeps its messages; default in memory, in this
   * process. A `RedisChannelStorage` (from `nestjs-stage/redis`) shares the channel with every
   * replica that uses the same Redis and key prefix. It belongs to this application: build one
   * per application.
   */
  readonly adderStorage?: ChannelStorage<Operands>;
  /** Whether the application runs the pipeline (ticker and auditor); default true. */
  readonly pipeline?: boolean;
  /** Pipeline: the pause between two ticks, in ms; default 100. */
  readonly tickIntervalMs?: number;
  /** Whether Stage logs group events (failures, aggregated) through Nest's logger; default true. */
  readonly logging?: boolean;
}

/** {@link AppOptions} with every default filled in; `adderStorage` stays unset for in-memory. */
export type ResolvedAppOptions = Required<Omit<AppOptions, 'adderStorage'>> &
  Pick<AppOptions, 'adderStorage'>;

const DEFAULTS: ResolvedAppOptions = {
  crashRate: 0.02,
  seed: 1,
  retryAfterMs: 100,
  maxAttempts: 20,
  requestTimeoutMs: 10_000,
  addWorkMs: 0,
  pipeline: true,
  tickIntervalMs: 100,
  logging: true,
};

const OWNER = 'AppModule.forRoot';

/**
 * Fills in the defaults and checks every value.
 *
 * @throws InvalidOptionError naming the option, the value received and what was expected.
 */
export function resolveAppOptions(options: AppOptions = {}): ResolvedAppOptions {
  const resolved = { ...DEFAULTS, ...withoutUndefined(options) };
  const { crashRate, seed, retryAfterMs, maxAttempts, requestTimeoutMs, logging } = resolved;
  const { addWorkMs, adderStorage, pipeline, tickIntervalMs } = resolved;

  if (!isFiniteNumber(crashRate) || crashRate < 0 || crashRate > 1) {
    throw new InvalidOptionError(OWNER, 'crashRate', crashRate, 'a number from 0 to 1');
  }
  if (!isFiniteNumber(seed)) {
    throw new InvalidOptionError(OWNER, 'seed', seed, 'a finite number');
  }
  if (!isFiniteNumber(retryAfterMs) || retryAfterMs <= 0) {
    throw new InvalidOptionError(OWNER, 'retryAfterMs', retryAfterMs, 'a finite number > 0');
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new InvalidOptionError(OWNER, 'maxAttempts', maxAttempts, 'an integer >= 1');
  }
  if (!isFiniteNumber(requestTimeoutMs) || requestTimeoutMs <= 0) {
    throw new InvalidOptionError(
      OWNER,
      'requestTimeoutMs',
      requestTimeoutMs,
      'a finite number > 0',
    );
  }
  if (!isFiniteNumber(addWorkMs) || addWorkMs < 0) {
    throw new InvalidOptionError(OWNER, 'addWorkMs', addWorkMs, 'a finite number >= 0');
  }
  if (adderStorage !== undefined && (typeof adderStorage !== 'object' || adderStorage === null)) {
    throw new InvalidOptionError(OWNER, 'adderStorage', adderStorage, 'a channel storage');
  }
  if (typeof pipeline !== 'boolean') {
    throw new InvalidOptionError(OWNER, 'pipeline', pipeline, 'true or false');
  }
  if (!isFiniteNumber(tickIntervalMs) || tickIntervalMs < 0) {
    throw new InvalidOptionError(OWNER, 'tickIntervalMs', tickIntervalMs, 'a finite number >= 0');
  }
  if (typeof logging !== 'boolean') {
    throw new InvalidOptionError(OWNER, 'logging', logging, 'true or false');
  }
  return resolved;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function withoutUndefined(options: AppOptions): AppOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
