/**
 * What one replica process of the Redis demo needs to know, passed through its environment
 * (`replicaEnvironment` in the demo, `readReplicaSettings` in the replica).
 */
export interface ReplicaSettings {
  /** The replica's number, from 1; its `STAGE_REPLICA_ID`, which names its Redis consumer. */
  readonly replica: number;
  /** Where Redis is: `REDIS_URL`. */
  readonly redisUrl: string;
  /** The prefix of the run's keys, fresh for each run: `DEMO_KEY_PREFIX`. */
  readonly keyPrefix: string;
  /** The chance that a handler crashes while holding a request: `CRASH_RATE`. */
  readonly crashRate: number;
  /** Seeds the replica's crashes: `SEED`. */
  readonly seed: number;
  /** How long each addition takes, in ms: `DEMO_ADD_WORK_MS`. */
  readonly addWorkMs: number;
  /** How long a dead replica's messages stay idle before another claims them: `DEMO_CLAIM_IDLE_MS`. */
  readonly claimIdleMs: number;
}

/** The environment variables that carry `settings` to a replica process. */
export function replicaEnvironment(settings: ReplicaSettings): Record<string, string> {
  return {
    STAGE_REPLICA_ID: String(settings.replica),
    REDIS_URL: settings.redisUrl,
    DEMO_KEY_PREFIX: settings.keyPrefix,
    CRASH_RATE: String(settings.crashRate),
    SEED: String(settings.seed),
    DEMO_ADD_WORK_MS: String(settings.addWorkMs),
    DEMO_CLAIM_IDLE_MS: String(settings.claimIdleMs),
  };
}

/**
 * Reads a replica's settings from its environment.
 *
 * @throws Error naming the first variable that is missing or not a number.
 */
export function readReplicaSettings(
  env: Readonly<Record<string, string | undefined>>,
): ReplicaSettings {
  const text = (variable: string): string => {
    const value = env[variable];
    if (value === undefined || value.trim() === '') {
      throw new Error(
        `${variable} is not set: a replica is started by the demo (npm run demo -- --redis).`,
      );
    }
    return value;
  };
  const number = (variable: string): number => {
    const value = Number(text(variable));
    if (!Number.isFinite(value)) {
      throw new Error(`${variable} must be a number; received ${JSON.stringify(env[variable])}.`);
    }
    return value;
  };

  return {
    replica: number('STAGE_REPLICA_ID'),
    redisUrl: text('REDIS_URL'),
    keyPrefix: text('DEMO_KEY_PREFIX'),
    crashRate: number('CRASH_RATE'),
    seed: number('SEED'),
    addWorkMs: number('DEMO_ADD_WORK_MS'),
    claimIdleMs: number('DEMO_CLAIM_IDLE_MS'),
  };
}
