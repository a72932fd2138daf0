import { Injectable, Module } from '@nestjs/common';
import {
  type Channel,
  type ChannelDeclaration,
  ChannelClosedError,
  type Delivery,
  getChannelToken,
  StageModule,
  StageRegistry,
  Supervised,
  UnknownChannelError,
} from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { boot } from './support/boot.js';

/** Dead-letters at the first failure, so that tests need no redelivery wait. */
const JOBS: ChannelDeclaration = { name: 'jobs', capacity: 4, maxDeliveries: 1 };

/** Fails every job while `broken` is set; holds a job named `hold` until released. */
@Injectable()
class JobRunner {
  broken = false;
  readonly done: string[] = [];
  release: () => void = () => undefined;

  @Supervised({ channel: 'jobs' })
  async run(job: string, _delivery: Delivery<string, void>): Promise<void> {
    if (this.broken) throw new Error(`cannot run ${job}`);
    if (job === 'hold') await new Promise<void>((resolve) => (this.release = resolve));
    this.done.push(job);
  }
}

@Module({ imports: [StageModule.forFeature({ channels: [JOBS] })], providers: [JobRunner] })
class JobsModule {}

async function bootJobs() {
  const booted = await boot({ imports: [StageModule.forRoot({ logging: false }), JobsModule] });
  const jobs = booted.app.get<Channel<string, void>>(getChannelToken('jobs'), { strict: false });
  return {
    ...booted,
    jobs,
    runner: booted.app.get(JobRunner),
    registry: booted.app.get(StageRegistry),
  };
}

describe('StageRegistry', () => {
  describe('channels', () => {
    it('lists each channel with its depth, in-flight messages, dead letters and ledger', async () => {
      const { app, jobs, runner, registry } = await bootJobs();
      await jobs.send('hold');
      await vi.waitFor(() => expect(jobs.stats().inFlight).toBe(1));
      await jobs.send('next');

      expect(registry.channels()).toEqual([
        {
          name: 'jobs',
          declaredBy: 'JobsModule',
          state: { kind: 'open' },
          capacity: 4,
          overflow: 'wait',
          depth: 1,
          inFlight: 1,
          deadLetters: 0,
          consumers: ['JobRunner.run'],
          stats: expect.objectContaining({ accepted: 2, buffered: 1, inFlight: 1, handled: 0 }),
        },
      ]);
      expect(registry.channel('jobs')).toEqual(registry.channels()[0]);
      expect(registry.get('JobRunner.run').channel).toBe('jobs');

      runner.release();
      await vi.waitFor(() => expect(runner.done).toEqual(['hold', 'next']));
      expect(registry.channel('jobs')).toMatchObject({ depth: 0, inFlight: 0 });
      await app.close();
    });

    it('throws a typed error naming the known channels for an unknown name', async () => {
      const { app, registry } = await bootJobs();

      expect(() => registry.channel('job')).toThrow(UnknownChannelError);
      expect(() => registry.deadLetters('job')).toThrow(
        'StageRegistry.deadLetters("job") names channel "job", which no module declares. ' +
          'Known channels: "jobs".',
      );
      expect(() => registry.replayDeadLetters('job')).toThrow(UnknownChannelError);
      await app.close();
    });

    it('shows dead letters with their error and replays them by channel name', async () => {
      const { app, jobs, runner, registry } = await bootJobs();
      runner.broken = true;
      await jobs.send('invoice-1');
      await jobs.send('invoice-2');
      await vi.waitFor(() => expect(registry.channel('jobs').deadLetters).toBe(2));

      const letters = registry.deadLetters('jobs');
      expect(letters).toEqual([
        expect.objectContaining({ body: 'invoice-1', deliveryCount: 1 }),
        expect.objectContaining({ body: 'invoice-2', deliveryCount: 1 }),
      ]);
      expect(letters[0]?.error.message).toBe('cannot run invoice-1');

      runner.broken = false;
      expect(registry.replayDeadLetters('jobs', [letters[1]!.id])).toEqual([letters[1]!.id]);
      await vi.waitFor(() => expect(runner.done).toEqual(['invoice-2']));
      expect(registry.replayDeadLetters('jobs')).toEqual([letters[0]!.id]);
      await vi.waitFor(() => expect(runner.done).toEqual(['invoice-2', 'invoice-1']));
      expect(registry.channel('jobs')).toMatchObject({
        deadLetters: 0,
        stats: expect.objectContaining({ deadLettered: 2, replayed: 2, handled: 2 }),
      });
      await app.close();
    });

    it('refuses to replay into a closed channel', async () => {
      const { app, registry } = await bootJobs();
      await app.close();

      expect(registry.channel('jobs').state.kind).toBe('closed');
      expect(() => registry.replayDeadLetters('jobs')).toThrow(ChannelClosedError);
    });
  });
});
