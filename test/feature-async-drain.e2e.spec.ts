import { setTimeout as sleep } from 'node:timers/promises';

import { Global, Injectable, Module } from '@nestjs/common';
import { type Channel, getChannelToken, StageModule, Supervised } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { boot } from './support/boot.js';

@Injectable()
class SlowDoubler {
  handled: number[] = [];

  @Supervised({ channel: 'jobs', shutdownTimeoutMs: 2_000 })
  async double(n: number): Promise<number> {
    await sleep(20);
    this.handled.push(n);
    return n * 2;
  }
}

type Mode = 'forFeature' | 'forFeatureAsync';

function jobs(mode: Mode) {
  return mode === 'forFeature'
    ? StageModule.forFeature({ channels: [{ name: 'jobs' }] })
    : StageModule.forFeatureAsync({
        channels: ['jobs'],
        useFactory: () => ({ channels: [{ name: 'jobs' }] }),
      });
}

async function settleAtClose(
  imports: unknown[],
): Promise<{ outcomes: string[]; handled: number[]; stats: Record<string, number> }> {
  const { app } = await boot({ imports: imports as never[] });
  const channel = app.get<Channel<number, number>>(getChannelToken('jobs'), { strict: false });
  const outcomes: string[] = [];
  const replies = [1, 2, 3].map((n) =>
    channel.request(n).then(
      (reply) => outcomes.push(`${n}: ${reply}`),
      (error: Error) => outcomes.push(`${n}: ${error.name}`),
    ),
  );
  await sleep(5); // 1 is in the handler's hands, 2 and 3 are buffered
  await app.close();
  await Promise.all(replies);
  const doubler = app.get(SlowDoubler, { strict: false });
  return { outcomes, handled: doubler.handled, stats: channel.stats() as never };
}

describe.each<Mode>(['forFeature', 'forFeatureAsync'])('a channel registered with %s', (mode) => {
  it('is drained at shutdown by its handler-mode consumer in a @Global module', async () => {
    @Global()
    @Module({ imports: [jobs(mode)], providers: [SlowDoubler], exports: [SlowDoubler] })
    class WorkersModule {}

    const { outcomes } = await settleAtClose([
      StageModule.forRoot({ logging: false }),
      WorkersModule,
    ]);

    expect(outcomes).toEqual(['1: 2', '2: 4', '3: 6']);
  });

  it('is drained at shutdown by a consumer in a deeper module that does not import the registration', async () => {
    @Module({ providers: [SlowDoubler] })
    class DeepWorkersModule {}
    @Module({ imports: [DeepWorkersModule] })
    class MiddleModule {}

    const { outcomes } = await settleAtClose([
      StageModule.forRoot({ logging: false }),
      jobs(mode),
      MiddleModule,
    ]);

    expect(outcomes).toEqual(['1: 2', '2: 4', '3: 6']);
  });
});

describe('two forFeatureAsync registrations of one channel', () => {
  it("let the consumer's own registration wait for its drain, whichever module Nest destroys first", async () => {
    const declaration = { name: 'jobs' };
    const registration = () =>
      StageModule.forFeatureAsync({
        channels: ['jobs'],
        useFactory: () => ({ channels: [declaration] }),
      });
    @Module({ imports: [registration()], providers: [SlowDoubler] })
    class WorkersModule {}

    // The root's registration (for a sender there) and WorkersModule are at the same depth: Nest
    // destroys the one imported last first.
    const { outcomes } = await settleAtClose([
      StageModule.forRoot({ logging: false }),
      WorkersModule,
      registration(),
    ]);

    expect(outcomes).toEqual(['1: 2', '2: 4', '3: 6']);
  });
});
