import { Injectable } from '@nestjs/common';
import {
  type Channel,
  getChannelToken,
  InjectChannel,
  StageModule,
  StageRegistry,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

/** Lets real immediates run (restarts with a zero backoff yield with `setImmediate`). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('a supervised method that throws', () => {
  it('is logged with its stack under the group name, counted, and restarted', async () => {
    @Injectable()
    class Importer {
      attempts = 0;

      @Supervised({ backoff: { minMs: 0, maxMs: 0 } })
      async run({ signal }: TaskContext): Promise<void> {
        this.attempts++;
        if (this.attempts === 1) throw new Error('feed unavailable');
        await aborted(signal);
      }
    }

    const { app, logs } = await boot({ imports: [StageModule.forRoot()], providers: [Importer] });
    const importer = app.get(Importer);
    const registry = app.get(StageRegistry);
    await vi.waitFor(() => expect(importer.attempts).toBe(2));

    const errors = logs.under('Importer.run', 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe(
      'group "root/RootTestModule/Importer.run": task 0 (attempt 1) failed: feed unavailable',
    );
    expect(errors[0]?.stack).toContain('Error: feed unavailable');
    expect(errors[0]?.stack).toContain('failures.e2e.spec.ts');
    expect(registry.status('Importer.run')).toMatchObject({
      state: { kind: 'running' },
      failures: 1,
      restarts: 1,
      running: 1,
      lastFailure: {
        index: 0,
        attempt: 1,
        error: expect.objectContaining({ message: 'feed unavailable' }),
      },
    });
    await app.close();
  });

  it('prints the stack of a loop-mode failure once, though its group and its channel both log it', async () => {
    @Injectable()
    class Consumer {
      constructor(@InjectChannel('jobs') readonly jobs: Channel<string>) {}

      @Supervised({ backoff: { minMs: 0, maxMs: 0 } })
      async run(ctx: TaskContext): Promise<void> {
        for await (const delivery of this.jobs.consume(ctx)) {
          if (delivery.deliveryCount === 1) throw new Error('poison pill');
        }
      }
    }

    const { app, logs } = await boot({
      imports: [
        StageModule.forRoot(),
        StageModule.forFeature({ channels: [{ name: 'jobs', redelivery: { minMs: 1 } }] }),
      ],
      providers: [Consumer],
    });
    await app.get(Consumer).jobs.send('job');
    await vi.waitFor(() => expect(app.get(StageRegistry).channel('jobs').stats.handled).toBe(1));

    const told = logs.entries.filter(
      (entry) => entry.level === 'error' && entry.message.includes('poison pill'),
    );
    expect(told.map((entry) => entry.context)).toEqual(
      expect.arrayContaining(['Consumer.run', 'Stage']),
    );
    expect(told.filter((entry) => entry.stack !== undefined)).toHaveLength(1);
    await app.close();
  });

  it('treats a synchronous throw of a non-Error like any failure', async () => {
    @Injectable()
    class Legacy {
      attempts = 0;

      @Supervised({ backoff: { minMs: 0, maxMs: 0 } })
      run({ signal }: TaskContext): Promise<void> {
        this.attempts++;
        if (this.attempts === 1) throw 'legacy failure';
        return aborted(signal);
      }
    }

    const { app, logs } = await boot({ imports: [StageModule.forRoot()], providers: [Legacy] });
    await vi.waitFor(() => expect(app.get(Legacy).attempts).toBe(2));

    const failure = app.get(StageRegistry).status('Legacy.run').lastFailure;
    expect(failure?.error).toBeInstanceOf(Error);
    expect(failure?.error).toMatchObject({ code: 'STAGE_THROWN_VALUE', value: 'legacy failure' });
    expect(logs.under('Legacy.run', 'error')).toHaveLength(1);
    await app.close();
  });

  it('logs nothing through Nest when logging is off, and still counts the failure', async () => {
    @Injectable()
    class Quiet {
      attempts = 0;

      @Supervised({ backoff: { minMs: 0, maxMs: 0 } })
      async run({ signal }: TaskContext): Promise<void> {
        this.attempts++;
        if (this.attempts === 1) throw new Error('hush');
        await aborted(signal);
      }
    }

    const { app, logs } = await boot({
      imports: [StageModule.forRoot({ logging: false })],
      providers: [Quiet],
    });
    await vi.waitFor(() => expect(app.get(Quiet).attempts).toBe(2));
    await app.close();

    expect(logs.under('Quiet.run')).toEqual([]);
    expect(app.get(StageRegistry).status('Quiet.run').failures).toBe(1);
  });

  it('aggregates a restart storm into one error and one summary line', async () => {
    // Fake timeouts keep the log's 5 s window open; restarts yield with real immediates.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    @Injectable()
    class Storm {
      @Supervised({ backoff: { minMs: 0, maxMs: 0 }, intensity: false })
      async run(): Promise<void> {
        throw new Error('boom');
      }
    }

    const { app, logs } = await boot({ imports: [StageModule.forRoot()], providers: [Storm] });
    const registry = app.get(StageRegistry);
    while (registry.status('Storm.run').failures < 300) await nextTurn();
    await registry.stop('Storm.run');

    const failures = registry.status('Storm.run').failures;
    expect(logs.under('Storm.run', 'error')).toHaveLength(1);
    expect(logs.under('Storm.run', 'warn').map((entry) => entry.message)).toEqual([
      `group "root/RootTestModule/Storm.run": ${failures - 1} more failures in the last 5 s, last: boom`,
    ]);
    expect(logs.under('Storm.run', 'log').map((entry) => entry.message)).toEqual([
      'group "root/RootTestModule/Storm.run" stopped.',
    ]);
    await app.close();
  });
});

describe('a supervised method that returns', () => {
  it('is logged once it returns for good, saying why it is not restarted', async () => {
    @Injectable()
    class Poller {
      @Supervised()
      run(): void {
        // Forgot to await its loop: returns at once.
        setTimeout(() => undefined, 0);
      }
    }

    const { app, logs } = await boot({ imports: [StageModule.forRoot()], providers: [Poller] });
    await vi.waitFor(() =>
      expect(app.get(StageRegistry).status('Poller.run').state.kind).toBe('completed'),
    );

    expect(logs.under('Poller.run', 'log').map((entry) => entry.message)).toEqual([
      'group "root/RootTestModule/Poller.run": task 0 (attempt 1) returned and is not restarted ' +
        "(restart: 'on-failure'). A task meant to run until the application stops must not " +
        'return before ctx.signal fires; work that returns and must run again needs restart: ' +
        "'always'.",
    ]);
    await app.close();
  });

  it('is not logged under restart always, nor for handlers that end with their channel', async () => {
    @Injectable()
    class Ticker {
      ticks = 0;

      @Supervised({ restart: 'always', backoff: { minMs: 5, maxMs: 5 } })
      async tick(): Promise<void> {
        this.ticks++;
      }

      @Supervised({ channel: 'jobs', size: 2 })
      handle(): void {}
    }

    const { app, logs } = await boot({
      imports: [StageModule.forRoot(), StageModule.forFeature({ channels: [{ name: 'jobs' }] })],
      providers: [Ticker],
    });
    await vi.waitFor(() => expect(app.get(Ticker).ticks).toBeGreaterThan(2));
    await app.close();

    const returned = logs.entries.filter((entry) => entry.message.includes('returned'));
    expect(returned).toEqual([]);
  });

  it('is not logged for handler-mode tasks that end because their channel closed while the application runs', async () => {
    @Injectable()
    class Workers {
      @Supervised({ channel: 'jobs', size: 2 })
      handle(): void {}
    }
    const { app, logs } = await boot({
      imports: [StageModule.forRoot(), StageModule.forFeature({ channels: [{ name: 'jobs' }] })],
      providers: [Workers],
    });
    const jobs = app.get<Channel<string>>(getChannelToken('jobs'), { strict: false });

    await jobs.close();
    await vi.waitFor(() =>
      expect(app.get(StageRegistry).status('Workers.handle').state.kind).toBe('completed'),
    );

    const returned = logs
      .under('Workers.handle')
      .filter((entry) => entry.message.includes('returned'));
    expect(returned.map((entry) => entry.message)).toEqual([]);
    await app.close();
  });
});
