import { parseArgs } from 'node:util';

import { readNumber } from '../config/read-number.js';
import { DEGREES, type Degree } from './degree.js';

/**
 * Where the second degree's channel lives while the demo runs:
 * - `memory` (the default): one application, every degree, every channel in memory.
 * - `redis`: `replicas` processes of the application share the `adder` channel on the Redis at
 *   `url`; only the second degree is driven. With `killOne`, one replica is killed with `SIGKILL`
 *   mid-run while it holds messages.
 */
export type DemoMode =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'redis';
      readonly url: string;
      readonly replicas: number;
      readonly killOne: boolean;
    };

/** How `npm run demo` runs; read from flags, then environment variables, then defaults. */
export interface DemoOptions {
  /** How long each degree is driven, in seconds. */
  readonly durationSeconds: number;
  /** The chance that a worker crashes while holding a request, from 0 to 1. */
  readonly crashRate: number;
  /** How many HTTP connections send at once. */
  readonly connections: number;
  /** The degrees to drive, in order. */
  readonly degrees: readonly Degree[];
  /** Seeds the crashes, the restart jitter and the operands. */
  readonly seed: number;
  /** In memory, or replicas sharing a channel on Redis. */
  readonly mode: DemoMode;
}

/** A flag or variable the demo cannot use; its message says which and how to fix it. */
export class DemoUsageError extends Error {
  constructor(problem: string) {
    super(`${problem}\n\n${DEMO_USAGE}`);
    this.name = 'DemoUsageError';
  }
}

export const DEMO_USAGE = `Usage: npm run demo -- [options]

  --duration <s>      seconds of load per degree (env DEMO_DURATION; default 5)
  --crash-rate <p>    chance that a worker crashes holding a request, 0..1 (env CRASH_RATE; default 0.02)
  --connections <n>   concurrent HTTP connections (env DEMO_CONNECTIONS; default 32)
  --degree <d>        1, 2 or both (env DEMO_DEGREE; default both)
  --seed <n>          seed of crashes, jitter and operands (env SEED; default 1)
  --redis             run replicas of the application that share the second degree's channel
                      on Redis at REDIS_URL (default redis://127.0.0.1:6379); drives degree 2
  --replicas <n>      with --redis: how many replica processes, 1..8 (env DEMO_REPLICAS; default 3)
  --kill-one          with --redis: SIGKILL one replica mid-run, while it holds messages
  --help              print this and exit`;

const DEFAULTS: DemoOptions = {
  durationSeconds: 5,
  crashRate: 0.02,
  connections: 32,
  degrees: DEGREES,
  seed: 1,
  mode: { kind: 'memory' },
};

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_REPLICAS = 3;
const MAX_REPLICAS = 8;

/**
 * Reads the demo's options from `argv` (without `node` and the script) and `env`.
 *
 * @returns The options, or `help` when `--help` was given.
 * @throws DemoUsageError for an unknown flag or a bad value, naming it.
 */
export function readDemoOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DemoOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        duration: { type: 'string' },
        'crash-rate': { type: 'string' },
        connections: { type: 'string' },
        degree: { type: 'string' },
        seed: { type: 'string' },
        redis: { type: 'boolean' },
        replicas: { type: 'string' },
        'kill-one': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new DemoUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values['help'] === true) return 'help';

  const setting = (flag: string, variable: string): [string, string | undefined] => {
    const fromFlag = values[flag];
    return typeof fromFlag === 'string'
      ? [`--${flag}`, fromFlag]
      : [`${variable} (environment)`, env[variable]];
  };
  const number = (flag: string, variable: string): [string, number | undefined] => {
    const [name, text] = setting(flag, variable);
    try {
      return [name, readNumber(name, text)];
    } catch (error) {
      throw new DemoUsageError(error instanceof Error ? error.message : String(error));
    }
  };

  const [durationName, duration = DEFAULTS.durationSeconds] = number('duration', 'DEMO_DURATION');
  const [rateName, crashRate = DEFAULTS.crashRate] = number('crash-rate', 'CRASH_RATE');
  const [connectionsName, connections = DEFAULTS.connections] = number(
    'connections',
    'DEMO_CONNECTIONS',
  );
  const [, seed = DEFAULTS.seed] = number('seed', 'SEED');
  const [degreeName, degreeText] = setting('degree', 'DEMO_DEGREE');

  if (duration <= 0 || duration > 600) {
    throw new DemoUsageError(
      `${durationName} must be more than 0 and at most 600 seconds; received ${duration}.`,
    );
  }
  if (crashRate < 0 || crashRate > 1) {
    throw new DemoUsageError(`${rateName} must be from 0 to 1; received ${crashRate}.`);
  }
  if (!Number.isInteger(connections) || connections < 1 || connections > 1_000) {
    throw new DemoUsageError(
      `${connectionsName} must be an integer from 1 to 1000; received ${connections}.`,
    );
  }
  const [replicasName, replicas] = number('replicas', 'DEMO_REPLICAS');
  const killOne = values['kill-one'] === true;
  if (values['redis'] !== true) {
    if (values['replicas'] !== undefined) throw new DemoUsageError('--replicas needs --redis.');
    if (killOne) throw new DemoUsageError('--kill-one needs --redis.');
    const degrees = readDegrees(degreeName, degreeText);
    return {
      durationSeconds: duration,
      crashRate,
      connections,
      degrees,
      seed,
      mode: DEFAULTS.mode,
    };
  }
  return {
    durationSeconds: duration,
    crashRate,
    connections,
    degrees: readRedisDegrees(degreeName, degreeText),
    seed,
    mode: {
      kind: 'redis',
      url: readRedisUrl(env['REDIS_URL']),
      replicas: readReplicas(replicasName, replicas ?? DEFAULT_REPLICAS, killOne),
      killOne,
    },
  };
}

/** With `--redis`, only the second degree is driven: its channel is the one on Redis. */
function readRedisDegrees(name: string, text: string | undefined): readonly Degree[] {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '' || trimmed === '2') return [2];
  throw new DemoUsageError(
    `--redis drives the second degree only, whose channel is on Redis; ${name} must be 2 or ` +
      `left out; received ${JSON.stringify(text)}.`,
  );
}

function readRedisUrl(text: string | undefined): string {
  const url = text === undefined || text.trim() === '' ? DEFAULT_REDIS_URL : text.trim();
  if (!/^rediss?:\/\/./.test(url)) {
    throw new DemoUsageError(
      `REDIS_URL (environment) must be a redis:// or rediss:// URL; received ${JSON.stringify(text)}.`,
    );
  }
  return url;
}

function readReplicas(name: string, replicas: number, killOne: boolean): number {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) {
    throw new DemoUsageError(
      `${name} must be an integer from 1 to ${MAX_REPLICAS}; received ${replicas}.`,
    );
  }
  if (killOne && replicas < 2) {
    throw new DemoUsageError(
      `--kill-one needs at least 2 replicas (one to kill, one to go on); ${name} is ${replicas}.`,
    );
  }
  return replicas;
}

function readDegrees(name: string, text: string | undefined): readonly Degree[] {
  switch (text?.trim()) {
    case undefined:
    case '':
    case 'both':
      return DEGREES;
    case '1':
      return [1];
    case '2':
      return [2];
    default:
      throw new DemoUsageError(`${name} must be 1, 2 or both; received ${JSON.stringify(text)}.`);
  }
}
