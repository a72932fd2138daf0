import { Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  Channel,
  type ChannelDeclaration,
  InjectChannel,
  StageModule,
  Supervised,
} from 'nestjs-stage';
import { RedisChannelStorage } from 'nestjs-stage/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  deleteKeys,
  testRedis,
  uniquePrefix,
} from '../libs/stage/src/redis/redis-server.spec-helper.js';
import type { TestRedis } from '../libs/stage/src/redis/redis-server.spec-helper.js';
import { boot } from './support/boot.js';

interface Operands {
  readonly a: number;
  readonly b: number;
}

const prefix = uniquePrefix('module');
let redis: TestRedis;

beforeAll(async () => {
  redis = await testRedis();
});

afterAll(async () => {
  await deleteKeys(redis.url, prefix);
  await redis.stop();
});

/**
 * The only line that changes to move the adder channel to Redis: its declaration gets a storage.
 * (One declaration per process; two replicas run in this one process here, so each gets its own.)
 */
function adderOnRedis(consumer: string): ChannelDeclaration {
  return {
    name: 'adder',
    storage: new RedisChannelStorage({
      connection: redis.url,
      keyPrefix: prefix,
      consumer,
      blockMs: 50,
    }),
  };
}

@Injectable()
class Producer {
  constructor(@InjectChannel('adder') readonly adder: Channel<Operands, number>) {}
}

@Injectable()
class Workers {
  @Supervised({ channel: 'adder', size: 2 })
  add({ a, b }: Operands): number {
    return a + b;
  }
}

describe('StageModule.forFeature with a channel on Redis', () => {
  it('answers a request sent by one application with the handler of another', async () => {
    const front = await boot({
      imports: [
        StageModule.forRoot({ logging: false }),
        StageModule.forFeature({ channels: [adderOnRedis('front')] }),
      ],
      providers: [Producer],
    });
    const back = await boot({
      imports: [
        StageModule.forRoot({ logging: false }),
        StageModule.forFeature({ channels: [adderOnRedis('back')] }),
      ],
      providers: [Workers],
    });
    const { adder } = front.app.get(Producer);

    const sums = await Promise.all(
      [1, 2, 3].map((a) => adder.request({ a, b: 40 }, { timeoutMs: 5_000 })),
    );

    expect(sums).toEqual([41, 42, 43]);
    expect(adder.stats()).toMatchObject({ accepted: 3, published: 3, handled: 0 });
    await back.app.close();
    await front.app.close();
    expect(adder.state.kind).toBe('closed');
  });
});

const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** How an application commonly provides its own Redis client, and quits it at shutdown. */
class RedisClientCloser implements OnModuleDestroy {
  /** The channel to look at when the client is quit. */
  adder: Channel<Operands, number> | undefined;
  /** Whether that channel had closed when the client was quit. */
  channelClosedFirst: boolean | undefined;

  constructor(private readonly client: Redis) {}

  async onModuleDestroy(): Promise<void> {
    this.channelClosedFirst = this.adder?.state.kind === 'closed';
    await this.client.quit();
  }
}

describe('StageModule.forFeatureAsync with a channel on an injected Redis client', () => {
  it('answers requests and closes the channel before the application quits its client', async () => {
    @Module({
      providers: [
        { provide: REDIS_CLIENT, useFactory: () => new Redis(redis.url) },
        {
          provide: RedisClientCloser,
          useFactory: (client: Redis) => new RedisClientCloser(client),
          inject: [REDIS_CLIENT],
        },
      ],
      exports: [REDIS_CLIENT, RedisClientCloser],
    })
    class RedisModule {}

    const { app } = await boot({
      imports: [
        StageModule.forRoot({ logging: false }),
        RedisModule,
        StageModule.forFeatureAsync({
          channels: ['adder'],
          imports: [RedisModule],
          inject: [REDIS_CLIENT],
          useFactory: (client: Redis) => ({
            channels: [
              {
                name: 'adder',
                storage: new RedisChannelStorage({ client, keyPrefix: prefix, blockMs: 50 }),
              },
            ],
          }),
        }),
      ],
      providers: [Producer, Workers],
    });
    const { adder } = app.get(Producer);
    const closer = app.get(RedisClientCloser);
    closer.adder = adder;
    const failures: string[] = [];
    adder.on((event) => {
      if (event.type === 'storage-failed') failures.push(event.error.message);
    });

    const sums = await Promise.all(
      [1, 2, 3].map((a) => adder.request({ a, b: 40 }, { timeoutMs: 5_000 })),
    );
    await app.close();

    expect(sums).toEqual([41, 42, 43]);
    expect(closer.channelClosedFirst).toBe(true);
    expect(failures).toEqual([]);
    expect(adder.stats()).toMatchObject({ accepted: 3, published: 3 });
  });
});
