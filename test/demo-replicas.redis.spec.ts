import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testRedis } from '../libs/stage/src/redis/redis-server.spec-helper.js';
import type { TestRedis } from '../libs/stage/src/redis/redis-server.spec-helper.js';
import { driveReplicas } from '../src/demo/replicas/drive-replicas.js';
import { replicasIncoherences } from '../src/demo/replicas/replicas-coherence.js';
import { replicasSummary } from '../src/demo/replicas/replicas-summary.js';

const REPLICA_ENTRY = fileURLToPath(
  new URL('../src/demo/replicas/replica-main.ts', import.meta.url),
);
const SWC_REGISTER = fileURLToPath(new URL('./fixtures/swc-register.mjs', import.meta.url));
const REDIS_ENTRY = new URL('../libs/stage/src/redis/index.ts', import.meta.url).href;

/**
 * The replicas run from their TypeScript sources through the tests' loader (`swc-register.mjs`),
 * which maps `nestjs-stage` to the library's sources but not `nestjs-stage/redis` (it would load
 * the compiled `dist/`, a second copy of the library). This hook, registered after it, maps that
 * entry to its sources too.
 */
const REDIS_ENTRY_HOOK = dataUrl(
  `import { register } from 'node:module';\n` +
    `register(${JSON.stringify(
      dataUrl(
        'export async function resolve(specifier, context, next) {\n' +
          `  if (specifier === 'nestjs-stage/redis') return { url: ${JSON.stringify(REDIS_ENTRY)}, shortCircuit: true };\n` +
          '  return next(specifier, context);\n' +
          '}\n',
      ),
    )});\n`,
);

function dataUrl(source: string): string {
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

let redis: TestRedis;

beforeAll(async () => {
  redis = await testRedis();
});

afterAll(async () => {
  await redis.stop();
});

/** How many keys start with `prefix`. */
async function keysUnder(prefix: string): Promise<number> {
  const client = new Redis(redis.url, { lazyConnect: true });
  try {
    await client.connect();
    return (await client.keys(`${prefix}*`)).length;
  } finally {
    client.disconnect();
  }
}

describe('the Redis demo (driveReplicas)', () => {
  it('answers every request across two replicas when one is killed holding messages, leaving nothing in Redis', async () => {
    const lines: string[] = [];

    const report = await driveReplicas({
      redisUrl: redis.url,
      replicas: 2,
      killOne: true,
      durationMs: 1_500,
      connections: 8,
      crashRate: 0.05,
      seed: 7,
      launch: {
        entry: REPLICA_ENTRY,
        execArgv: ['--import', SWC_REGISTER, '--import', REDIS_ENTRY_HOOK],
      },
      print: (line) => lines.push(line),
      output: (line) => lines.push(line),
    });

    const [front, victim] = report.replicas;
    expect(replicasIncoherences(report), lines.join('\n')).toEqual([]);
    expect(report.load.sent).toBeGreaterThan(100);
    expect(report.lost).toBe(0);
    expect(front).toMatchObject({ kind: 'closed', front: true });
    expect(victim).toMatchObject({ kind: 'killed', front: false });
    expect(victim?.kind === 'killed' && victim.stranded).toBeGreaterThan(0);
    // The front replica put each request it received into the channel once, and no more.
    expect(front?.counters?.ledger.accepted).toBe(report.load.sent);
    expect(front?.counters?.httpRequests).toBe(report.load.sent);
    expect(report.leftovers).toEqual({ pending: 0, undelivered: 0, deadLetters: 0 });
    expect(report.keysDeleted).toBeGreaterThan(0);
    expect(await keysUnder(report.keyPrefix)).toBe(0);
    expect(replicasSummary(report).header).toEqual([
      'measure',
      'replica 1',
      'replica 2 (killed)',
      'all replicas',
    ]);
  }, 30_000);

  it('refuses to start without a Redis server, saying how to get one', async () => {
    await expect(
      driveReplicas({
        redisUrl: 'redis://127.0.0.1:1',
        replicas: 1,
        killOne: false,
        durationMs: 100,
        connections: 1,
        crashRate: 0,
        seed: 1,
        launch: { entry: REPLICA_ENTRY },
        print: () => undefined,
        output: () => undefined,
      }),
    ).rejects.toThrow(
      '--redis needs a Redis server at redis://127.0.0.1:1 (REDIS_URL), and none answered',
    );
  });
});
