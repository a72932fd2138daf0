import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Channel } from 'nestjs-stage';
import { RedisChannelStorage } from 'nestjs-stage/redis';

import { eventually } from '../libs/stage/src/core/channel/channel-behaviour.spec-helper.js';
import {
  deleteKeys,
  testRedis,
  uniquePrefix,
} from '../libs/stage/src/redis/redis-server.spec-helper.js';
import type { TestRedis } from '../libs/stage/src/redis/redis-server.spec-helper.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REGISTER = fileURLToPath(new URL('./fixtures/swc-register.mjs', import.meta.url));
const REPLICA = fileURLToPath(new URL('./fixtures/redis-replica.ts', import.meta.url));
const MESSAGES = 150;

/** One child process running a replica, and what it printed. */
interface Replica {
  readonly process: ChildProcess;
  readonly started: Map<string, number>;
  readonly done: Map<string, number[]>;
  readonly lines: string[];
  stderr: string;
  readonly ready: Promise<void>;
}

const prefix = uniquePrefix('replicas');
let redis: TestRedis;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await testRedis();
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await deleteKeys(redis.url, prefix);
  await redis.stop();
});

function startReplica(consumer: string): Replica {
  const child = spawn(process.execPath, ['--import', REGISTER, REPLICA], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: redis.url, PREFIX: prefix, CONSUMER: consumer },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const replica: Replica = {
    process: child,
    started: new Map(),
    done: new Map(),
    lines: [],
    stderr: '',
    ready: new Promise((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        replica.lines.push(line);
        const [word, id, count] = line.split(' ');
        if (word === 'ready') resolve();
        if (word === 'start') replica.started.set(id!, Number(count));
        if (word === 'done')
          replica.done.set(id!, [...(replica.done.get(id!) ?? []), Number(count)]);
      });
    }),
  };
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (replica.stderr += chunk));
  return replica;
}

describe('a Redis channel shared by several processes', () => {
  it('handles every message when a replica is killed with SIGKILL while holding some', async () => {
    const replicas = ['victim', 'survivor-1', 'survivor-2'].map(startReplica);
    await Promise.all(replicas.map((replica) => replica.ready));
    const [victim, ...survivors] = replicas as [Replica, Replica, Replica];
    const producer = new Channel<number>({
      name: 'work',
      storage: new RedisChannelStorage<number>({
        connection: redis.url,
        keyPrefix: prefix,
        consumer: 'producer',
      }),
    });
    const sent = await Promise.all(Array.from({ length: MESSAGES }, (_, n) => producer.send(n)));

    const holding = () => [...victim.started.keys()].filter((id) => !victim.done.has(id));
    await eventually(() => holding().length >= 3, 10_000, 'the victim to hold messages');
    const heldAtKill = holding();
    victim.process.kill('SIGKILL');
    await once(victim.process, 'exit');
    const handledBy = (replica: Replica) => [...replica.done.keys()];
    const handled = () => new Set(replicas.flatMap(handledBy));
    await eventually(() => sent.every((id) => handled().has(id)), 20_000, 'every message handled');

    for (const survivor of survivors) survivor.process.kill('SIGTERM');
    await Promise.all(survivors.map((survivor) => once(survivor.process, 'exit')));
    await producer.close();
    const counts = survivors.flatMap((survivor) => [...survivor.done.values()].flat());
    const redelivered = survivors.flatMap((survivor) =>
      [...survivor.done].filter(([, deliveries]) => deliveries.some((count) => count >= 2)),
    );
    const figures = {
      sent: sent.length,
      handled: handled().size,
      heldByVictimAtKill: heldAtKill.length,
      redelivered: redelivered.length,
      lost: sent.filter((id) => !handled().has(id)).length,
    };
    console.log(`redis kill test: ${JSON.stringify(figures)}`);

    expect(figures.lost).toBe(0);
    expect(figures.handled).toBe(MESSAGES);
    for (const id of heldAtKill) {
      const again = survivors.flatMap((survivor) => survivor.done.get(id) ?? []);
      expect(again, `message ${id}, held by the victim`).toContain(2);
    }
    expect(Math.max(...counts)).toBe(2);
    for (const survivor of survivors) {
      expect(survivor.stderr).toBe('');
      expect(survivor.lines.at(-1)).toMatch(/^closed /);
    }
  }, 40_000);
});
