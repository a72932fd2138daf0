import { generateLoad } from '../load-generator.js';
import type { LoadResult } from '../load-result.js';
import { delay } from '../../time/delay.js';
import { RedisRun } from './redis-run.js';
import { type ReplicaLaunch, ReplicaProcess, type ReplicaReady } from './replica-process.js';
import { replicaEnvironment } from './replica-settings.js';
import type { ReplicaOutcome, ReplicasReport } from './replicas-report.js';

/** Options of {@link driveReplicas}. */
export interface DriveReplicasOptions {
  /** Where Redis is. */
  readonly redisUrl: string;
  /** How many replica processes to run. */
  readonly replicas: number;
  /** Whether to kill the last replica with `SIGKILL` halfway through the load. */
  readonly killOne: boolean;
  /** How long new requests are sent, in ms. */
  readonly durationMs: number;
  /** How many HTTP connections send at once, shared between the replicas that take HTTP load. */
  readonly connections: number;
  /** The chance that a handler crashes while holding a request. */
  readonly crashRate: number;
  /** Seeds the crashes (each replica adds its number) and the operands. */
  readonly seed: number;
  /** How to start a replica's process. */
  readonly launch: ReplicaLaunch;
  /** Prints what the demo does, one line at a time. */
  readonly print: (line: string) => void;
  /** Prints a replica's output, one line at a time. */
  readonly output: (line: string) => void;
}

/**
 * How long each addition takes in the replicas, in ms, as if it did I/O: long enough that a
 * replica under load always holds a few messages, so that the one killed is caught with some.
 */
export const ADD_WORK_MS = 10;

/**
 * How long a killed replica's messages stay idle before another replica claims them, in ms. The
 * storage's default (30 s) is made for replicas that come back under the same name; here the
 * killed one never does, and its requests must be answered within their timeout (10 s).
 */
export const CLAIM_IDLE_MS = 1_000;

const READY_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 15_000;
const SETTLE_TIMEOUT_MS = CLAIM_IDLE_MS + 10_000;
/** How long the demo waits, halfway through, for the victim to hold a message before killing it. */
const HOLDING_TIMEOUT_MS = 3_000;
const POLL_MS = 5;

/**
 * The Redis demo: starts `replicas` processes of the application that share the `adder` channel
 * on Redis under a fresh key prefix, drives `GET /v2/add` with real HTTP load while their
 * handlers crash, optionally kills one with `SIGKILL` halfway while it holds messages, waits for
 * Redis to have nothing left to deliver, closes the other replicas gracefully, reads what is left
 * in Redis and deletes the run's keys.
 *
 * **Where the load goes.** With `killOne`, the HTTP load goes to every replica but the last one,
 * round-robin, and the last one only consumes: a request whose HTTP connection dies with its
 * process is lost to HTTP whatever the channel does, so the victim takes none. Its messages in
 * flight are what the kill puts at risk, and what the others must claim and handle.
 *
 * **Cleanup.** Whatever happens, every replica still running is killed, the run's keys are
 * deleted and the demo's Redis client is closed before this returns or rejects.
 *
 * @throws (rejects) Error when Redis does not answer, a replica does not start, or the load
 * generator fails.
 */
export async function driveReplicas(options: DriveReplicasOptions): Promise<ReplicasReport> {
  const { replicas: count, killOne, launch, print, output } = options;
  const redis = await RedisRun.open(options.redisUrl);
  const processes: ReplicaProcess[] = [];
  let keysDeleted: number | undefined;
  try {
    print(`Key prefix of this run: ${redis.keyPrefix}`);
    for (let replica = 1; replica <= count; replica++) {
      const env = replicaEnvironment({
        replica,
        redisUrl: options.redisUrl,
        keyPrefix: redis.keyPrefix,
        crashRate: options.crashRate,
        seed: options.seed + replica,
        addWorkMs: ADD_WORK_MS,
        claimIdleMs: CLAIM_IDLE_MS,
      });
      processes.push(
        ReplicaProcess.start({ ...launch, replica, env, output, readyTimeoutMs: READY_TIMEOUT_MS }),
      );
    }
    const ready = await Promise.all(processes.map((process) => process.ready));
    const victim = killOne ? processes.length - 1 : undefined;
    const fronts = ready.filter((_, i) => i !== victim);
    for (const [i, { url, consumer }] of ready.entries()) {
      print(
        `  Replica ${i + 1} listens on ${url}, Redis consumer "${consumer}"` +
          (i === victim ? ': no HTTP load, it only consumes; it will be killed halfway.' : '.'),
      );
    }

    const [load, stranded] = await Promise.all([
      generateLoad({
        url: fronts.map(({ url }) => `${url}/v2/add`),
        durationMs: options.durationMs,
        connections: options.connections,
        seed: options.seed + 2,
      }),
      victim === undefined
        ? Promise.resolve(0)
        : killHalfway(processes[victim]!, ready[victim]!, redis, options.durationMs / 2, print),
    ]);
    print(
      `  ${load.sent} requests sent for ${options.durationMs / 1000} s (the run took ` +
        `${load.seconds} s, answering those in flight): ${load.correct} answered with the right sum.`,
    );

    const settle = await settleRedis(redis, Date.now());
    print(
      settle.settled
        ? `  Redis has nothing left to deliver (${settle.ms} ms after the load).`
        : `  Redis still had messages to deliver ${settle.ms} ms after the load.`,
    );
    const outcomes = await closeReplicas(processes, ready, { victim, stranded });
    const leftovers = await redis.leftovers();
    keysDeleted = await redis.deleteKeys();

    return {
      load,
      replicas: outcomes,
      settle,
      leftovers,
      keyPrefix: redis.keyPrefix,
      keysDeleted,
      lost: lostOf(load),
    };
  } finally {
    await Promise.all(processes.map((process) => process.kill()));
    if (keysDeleted === undefined) await redis.deleteKeys().catch(() => undefined);
    await redis.close();
  }
}

/**
 * Halfway through the load, waits (a few seconds at most) until the victim holds a message,
 * kills it with `SIGKILL` and returns how many messages it held: its pending entries in Redis.
 */
async function killHalfway(
  victim: ReplicaProcess,
  { consumer }: ReplicaReady,
  redis: RedisRun,
  afterMs: number,
  print: (line: string) => void,
): Promise<number> {
  const never = new AbortController().signal;
  await delay(afterMs, never);
  const deadline = Date.now() + HOLDING_TIMEOUT_MS;
  while ((await redis.pendingOf(consumer)) === 0 && Date.now() < deadline) {
    await delay(POLL_MS, never);
  }
  await victim.kill();
  const stranded = await redis.pendingOf(consumer);
  print(
    `  Killed replica ${victim.replica} with SIGKILL while it held ${stranded} message(s) ` +
      `(XPENDING); the others claim them once idle for ${CLAIM_IDLE_MS} ms.`,
  );
  return stranded;
}

/** Waits until Redis has nothing pending or undelivered for the channel, at most a few seconds. */
async function settleRedis(
  redis: RedisRun,
  since: number,
): Promise<{ settled: boolean; ms: number }> {
  const never = new AbortController().signal;
  for (;;) {
    const { pending, undelivered } = await redis.leftovers();
    const ms = Date.now() - since;
    if (pending + undelivered === 0) return { settled: true, ms };
    if (ms > SETTLE_TIMEOUT_MS) return { settled: false, ms };
    await delay(50, never);
  }
}

/** Closes every replica still running, all at once, and says how each one's run ended. */
async function closeReplicas(
  processes: readonly ReplicaProcess[],
  ready: readonly ReplicaReady[],
  { victim, stranded }: { readonly victim: number | undefined; readonly stranded: number },
): Promise<ReplicaOutcome[]> {
  return Promise.all(
    processes.map(async (process, i): Promise<ReplicaOutcome> => {
      const base = { replica: process.replica, consumer: ready[i]!.consumer, front: i !== victim };
      if (i === victim) {
        return { ...base, kind: 'killed', stranded, counters: process.lastCounters };
      }
      try {
        return { ...base, kind: 'closed', counters: await process.close(CLOSE_TIMEOUT_MS) };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ...base, kind: 'failed', error: message, counters: process.lastCounters };
      }
    }),
  );
}

function lostOf(load: LoadResult): number {
  return load.sent - load.correct;
}
