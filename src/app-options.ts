import { InvalidOptionError } from 'nestjs-stage';

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
  /** Whether Stage logs group events (failures, aggregated) through Nest's logger; default true. */
  readonly logging?: boolean;
}

/** {@link AppOptions} with every default filled in. */
export type ResolvedAppOptions = Required<AppOptions>;

const DEFAULTS: ResolvedAppOptions = {
  crashRate: 0.02,
  seed: 1,
  retryAfterMs: 100,
  maxAttempts: 20,
  requestTimeoutMs: 10_000,
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
