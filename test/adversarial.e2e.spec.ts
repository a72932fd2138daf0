import {
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  StageModule,
  StageNotRunningError,
  StageRegistry,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';
import { trackTimers } from './support/timer-tracker.js';

// Hostile lifecycles around supervised work: each test pins a shutdown guarantee (N1, N6) under
// a provider or a caller that misbehaves.

/** A supervised loop that counts its runs in progress. */
@Injectable()
class Loop {
  running = 0;

  @Supervised({ size: 2 })
  async run({ signal }: TaskContext): Promise<void> {
    this.running++;
    await aborted(signal);
    this.running--;
  }
}

describe('Stage under hostile lifecycles', () => {
  it('stops every group when app.close() is called twice at once, then again', async () => {
    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false })],
      providers: [Loop],
    });
    const loop = app.get(Loop);
    await vi.waitFor(() => expect(loop.running).toBe(2));
    const registry = app.get(StageRegistry);

    await expect(Promise.all([app.close(), app.close()])).resolves.toBeDefined();
    await expect(app.close()).resolves.toBeUndefined();
    expect(loop.running).toBe(0);
    expect(registry.status('Loop.run').state).toEqual({
      kind: 'stopped',
      report: { settled: 2, abandoned: [], clean: true },
    });
  });

  it("stops every module's groups when an owner throws in onModuleDestroy", async () => {
    @Injectable()
    class Thrower implements OnModuleDestroy {
      running = 0;

      @Supervised()
      async run({ signal }: TaskContext): Promise<void> {
        this.running++;
        await aborted(signal);
        this.running--;
      }

      onModuleDestroy(): void {
        throw new Error('destroy failed');
      }
    }
    @Module({ providers: [Thrower] })
    class ThrowerModule {}
    @Module({ providers: [Loop] })
    class LoopModule {}

    const timers = trackTimers();
    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false }), ThrowerModule, LoopModule],
    });
    const thrower = app.get(Thrower);
    const loop = app.get(Loop);
    await vi.waitFor(() => expect(thrower.running + loop.running).toBe(3));

    // Whether close() then rejects is Nest's policy; Stage's part is that nothing keeps running.
    await app.close().catch(() => undefined);
    expect(thrower.running).toBe(0);
    expect(loop.running).toBe(0);
    expect(await timers.pending()).toBe(0);
    timers.disable();
  });

  it('stops running groups when a later bootstrap hook fails and the app closes', async () => {
    @Injectable()
    class FailingBootstrap implements OnApplicationBootstrap {
      onApplicationBootstrap(): void {
        throw new Error('bootstrap failed');
      }
    }
    const { app } = await boot(
      { imports: [StageModule.forRoot({ logging: false })], providers: [Loop, FailingBootstrap] },
      { init: false },
    );

    await expect(app.init()).rejects.toThrow('bootstrap failed');
    const loop = app.get(Loop);
    await app.close();
    expect(loop.running).toBe(0);
    expect(app.get(StageRegistry).status('Loop.run').state.kind).toBe('stopped');
  });

  it('answers registry calls made while the application shuts down with typed errors', async () => {
    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false })],
      providers: [Loop],
    });
    const registry = app.get(StageRegistry);
    const loop = app.get(Loop);
    await vi.waitFor(() => expect(loop.running).toBe(2));
    const calls: unknown[] = [];
    const subscription = registry.events$.subscribe((event) => {
      if (event.type !== 'stopped' || calls.length > 0) return;
      for (const call of [
        () => registry.start('Loop.run'),
        () => registry.spawn({ name: 'late', task: async () => {} }),
      ]) {
        try {
          call();
          calls.push('no error');
        } catch (error) {
          calls.push(error);
        }
      }
    });

    await app.close();
    subscription.unsubscribe();
    expect(calls).toEqual([expect.any(StageNotRunningError), expect.any(StageNotRunningError)]);
    expect(registry.has('late')).toBe(false);
    expect(loop.running).toBe(0);
  });
});
