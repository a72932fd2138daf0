import { setTimeout as sleep } from 'node:timers/promises';

import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Channel,
  DuplicateChannelError,
  getChannelToken,
  InjectChannel,
  InvalidOptionError,
  StageModule,
  StageRegistry,
  Supervised,
} from 'nestjs-stage';
import { MemoryChannelStorage } from 'nestjs-stage/core';
import { describe, expect, it } from 'vitest';

import { boot } from './support/boot.js';

/** A storage that counts its closes. */
class CountingStorage extends MemoryChannelStorage<unknown> {
  closes = 0;

  override close(): void {
    this.closes++;
    super.close();
  }
}

@Injectable()
class Doubler {
  @Supervised({ channel: 'jobs' })
  double(n: number): number {
    return n * 2;
  }
}

@Injectable()
class Sender {
  constructor(@InjectChannel('jobs') readonly jobs: Channel<number, number>) {}
}

const jobsAsync = (useFactory: () => unknown) =>
  StageModule.forFeatureAsync({ channels: ['jobs'], useFactory: useFactory as never });

describe('StageModule.forFeatureAsync at its edges', () => {
  it.each<[string, () => unknown, string | (new (...args: never[]) => Error)]>([
    [
      'throws',
      () => {
        throw new Error('no config');
      },
      'no config',
    ],
    ['rejects', () => Promise.reject(new Error('vault sealed')), 'vault sealed'],
    ['resolves to a number', () => 42, InvalidOptionError],
    ['resolves to null', () => Promise.resolve(null), InvalidOptionError],
    [
      'resolves after a while to a bad channel option',
      () => sleep(30).then(() => ({ channels: [{ name: 'jobs', capacity: -1 }] })),
      InvalidOptionError,
    ],
  ])('fails the bootstrap when the factory %s', async (_, useFactory, expected) => {
    await expect(
      boot({ imports: [StageModule.forRoot({ logging: false }), jobsAsync(useFactory)] }),
    ).rejects.toThrow(expected);
  });

  it('waits for a slow factory, and the channel works once the application runs', async () => {
    const { app } = await boot({
      imports: [
        StageModule.forRoot({ logging: false }),
        jobsAsync(() => sleep(50).then(() => ({ channels: [{ name: 'jobs' }] }))),
      ],
      providers: [Doubler, Sender],
    });

    await expect(app.get(Sender).jobs.request(4, { timeoutMs: 1_000 })).resolves.toBe(8);
    await app.close();
  });

  it('lets the factory inject StageRegistry', async () => {
    const { app } = await boot({
      imports: [
        StageModule.forRoot({ logging: false }),
        StageModule.forFeatureAsync({
          channels: ['jobs'],
          inject: [StageRegistry],
          useFactory: (registry: StageRegistry) => ({
            channels: [{ name: 'jobs', capacity: registry.list().length + 4 }],
          }),
        }),
      ],
      providers: [Doubler, Sender],
    });

    expect(app.get(StageRegistry).channel('jobs').capacity).toBe(4);
    await expect(app.get(Sender).jobs.request(1, { timeoutMs: 1_000 })).resolves.toBe(2);
    await app.close();
  });

  it('shares one channel with a forFeature registration of an equal declaration, closed once', async () => {
    const storage = new CountingStorage();
    const declaration = { name: 'jobs', storage };
    const { app } = await boot({
      imports: [
        StageModule.forRoot({ logging: false }),
        StageModule.forFeature({ channels: [declaration] }),
        jobsAsync(() => ({ channels: [declaration] })),
        jobsAsync(() => sleep(10).then(() => ({ channels: [declaration] }))),
      ],
      providers: [Doubler, Sender],
    });

    await expect(app.get(Sender).jobs.request(3, { timeoutMs: 1_000 })).resolves.toBe(6);
    await app.close();
    expect(storage.closes).toBe(1);
  });

  it('fails the bootstrap when a forFeature registration declares the name differently', async () => {
    const run = boot({
      imports: [
        StageModule.forRoot({ logging: false }),
        StageModule.forFeature({ channels: [{ name: 'jobs' }] }),
        jobsAsync(() => ({ channels: [{ name: 'jobs', storage: new CountingStorage() }] })),
      ],
      providers: [Doubler],
    });

    await expect(run).rejects.toThrow(DuplicateChannelError);
  });

  it('closes a channel a test put in place of the provided one', async () => {
    const replacement = new Channel<number, number>({ name: 'jobs' });
    const app = await Test.createTestingModule({
      imports: [
        StageModule.forRoot({ logging: false }),
        jobsAsync(() => ({ channels: [{ name: 'jobs' }] })),
      ],
      providers: [Doubler, Sender],
    })
      .overrideProvider(getChannelToken('jobs'))
      .useValue(replacement)
      .compile();
    await app.init();

    expect(app.get(Sender).jobs).toBe(replacement);
    await expect(replacement.request(5, { timeoutMs: 1_000 })).resolves.toBe(10);
    await app.close();
    expect(replacement.state.kind).toBe('closed');
  });

  it('closes cleanly when a test replaced the channel with a stub', async () => {
    const stub = { request: () => Promise.resolve(99) };
    const app = await Test.createTestingModule({
      imports: [
        StageModule.forRoot({ logging: false }),
        jobsAsync(() => ({ channels: [{ name: 'jobs' }] })),
      ],
      providers: [Doubler, Sender],
    })
      .overrideProvider(getChannelToken('jobs'))
      .useValue(stub)
      .compile();
    await app.init();

    await expect(app.get(Sender).jobs.request(1)).resolves.toBe(99);
    await expect(app.close()).resolves.toBeUndefined();
  });
});
