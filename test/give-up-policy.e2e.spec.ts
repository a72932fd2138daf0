import { setTimeout as sleep } from 'node:timers/promises';

import { Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import {
  causeChain,
  type GiveUpReport,
  isStageError,
  type StageEvent,
  StageModule,
  type StageModuleOptions,
  StageRegistry,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

/** A method that fails at once while `failing` is set; it gives up after its third failure. */
@Injectable()
class Fragile {
  failing = true;
  attempts = 0;

  @Supervised({ backoff: { minMs: 0, maxMs: 0 }, intensity: { maxRestarts: 2, withinMs: 1_000 } })
  async run({ signal }: TaskContext): Promise<void> {
    this.attempts++;
    if (this.failing) throw new Error('database unreachable');
    await aborted(signal);
  }
}

/**
 * The module of `Fragile`. Its supervisor allows no restart, so the first give-up of `Fragile.run`
 * makes the whole module give up and reach the root at once.
 */
@Module({
  imports: [
    StageModule.forFeature({ supervisor: { intensity: { maxRestarts: 0, withinMs: 1_000 } } }),
  ],
  providers: [Fragile],
})
class FragileModule {}

/** Boots `FragileModule` with `options` and lets it give up once. */
async function bootGivingUp(options: StageModuleOptions = {}) {
  const booted = await boot({ imports: [StageModule.forRoot(options), FragileModule] });
  const registry = booted.app.get(StageRegistry);
  const events: StageEvent[] = [];
  registry.events$.subscribe((event) => events.push(event));
  await vi.advanceTimersByTimeAsync(10);
  return { ...booted, registry, events, fragile: booted.app.get(Fragile) };
}

/** Makes `process.listenerCount('SIGTERM')` report `count`; other events are left alone. */
function stubSigtermListeners(count: number): void {
  const listenerCount = process.listenerCount.bind(process);
  vi.spyOn(process, 'listenerCount').mockImplementation((event, listener) =>
    event === 'SIGTERM' ? count : listenerCount(event, listener),
  );
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('when a failure reaches the root', () => {
  describe('by default', () => {
    it('keeps the application running, reports it unhealthy and restarts the module after 30 s', async () => {
      const { app, registry, fragile, logs } = await bootGivingUp();

      expect(fragile.attempts).toBe(3);
      expect(registry.status('Fragile.run').state.kind).toBe('gave-up');
      const health = registry.health();
      expect(health).toEqual({
        healthy: false,
        status: 'recovering',
        failing: [
          {
            name: 'FragileModule',
            path: ['root', 'FragileModule'],
            error: expect.objectContaining({ code: 'STAGE_SUPERVISOR_GAVE_UP' }),
            failedAt: expect.any(Number),
            restartAt: expect.any(Number),
            failures: 1,
          },
        ],
      });
      const failing = health.status === 'recovering' ? health.failing[0] : undefined;
      expect((failing?.restartAt ?? 0) - (failing?.failedAt ?? 0)).toBe(30_000);
      expect(registry.get('Fragile.run').health).toEqual({
        kind: 'restart-pending',
        error: failing?.error,
        gaveUpAt: failing?.failedAt,
        restartAt: failing?.restartAt,
        giveUps: 1,
      });
      expect(logs.under('Stage', 'warn').map((entry) => entry.message)).toContain(
        '"FragileModule" gave up; the application reports unhealthy until Stage restarts it in 30 s.',
      );

      fragile.failing = false;
      await vi.advanceTimersByTimeAsync((failing?.restartAt ?? 0) - Date.now() - 1);
      expect(fragile.attempts).toBe(3);
      await vi.advanceTimersByTimeAsync(10);

      expect(fragile.attempts).toBe(4);
      expect(registry.status('Fragile.run').state.kind).toBe('running');
      expect(registry.health()).toEqual({ healthy: true, status: 'healthy' });
      expect(registry.get('Fragile.run').health).toEqual({ kind: 'healthy' });
      await app.close();
    });

    it('doubles the wait on each consecutive give-up, up to 5 minutes', async () => {
      const { app, registry, events } = await bootGivingUp({ logging: false });

      for (const delayMs of [30_000, 60_000, 120_000, 240_000, 300_000]) {
        await vi.advanceTimersByTimeAsync(delayMs + 10);
      }
      const delays = events.flatMap((event) =>
        event.type === 'root-restart-scheduled' ? [[event.delayMs, event.giveUps]] : [],
      );
      expect(delays).toEqual([
        [30_000, 1],
        [60_000, 2],
        [120_000, 3],
        [240_000, 4],
        [300_000, 5],
        [300_000, 6],
      ]);
      expect(registry.health().healthy).toBe(false);
      await app.close();
    });

    it('starts the schedule over after the group ran long enough', async () => {
      const { app, fragile, events } = await bootGivingUp({
        logging: false,
        onGiveUp: { action: 'restart', backoff: { minMs: 1_000, resetAfterMs: 60_000 } },
      });

      fragile.failing = false;
      await vi.advanceTimersByTimeAsync(1_000);
      await vi.advanceTimersByTimeAsync(60_000);
      fragile.failing = true;
      // Shrinking to 0 and growing back fails the fresh slot at once, three times over.
      app.get(StageRegistry).resize('Fragile.run', 0);
      app.get(StageRegistry).resize('Fragile.run', 1);
      await vi.advanceTimersByTimeAsync(10);

      const delays = events.flatMap((event) =>
        event.type === 'root-restart-scheduled' ? [[event.delayMs, event.giveUps]] : [],
      );
      expect(delays).toEqual([
        [1_000, 1],
        [1_000, 1],
      ]);
      await app.close();
    });

    it('follows a configured root backoff', async () => {
      const { app, events } = await bootGivingUp({
        logging: false,
        onGiveUp: { action: 'restart', backoff: { minMs: 1_000, maxMs: 1_500, factor: 3 } },
      });

      await vi.advanceTimersByTimeAsync(1_010);
      await vi.advanceTimersByTimeAsync(1_510);

      const delays = events.flatMap((event) =>
        event.type === 'root-restart-scheduled' ? [event.delayMs] : [],
      );
      expect(delays).toEqual([1_000, 1_500, 1_500]);
      await app.close();
    });

    it('emits the decision as an event whose error leads down to the task failure', async () => {
      const { app, events } = await bootGivingUp({ logging: false });

      const decisions = events.filter((event) => event.type === 'root-restart-scheduled');
      expect(decisions).toEqual([
        {
          type: 'root-restart-scheduled',
          child: 'FragileModule',
          path: ['root', 'FragileModule'],
          error: expect.objectContaining({ code: 'STAGE_SUPERVISOR_GAVE_UP' }),
          delayMs: 30_000,
          giveUps: 1,
        },
      ]);
      const chain = causeChain(decisions[0]!.error);
      expect(chain.map((error) => (isStageError(error) ? error.code : error.message))).toEqual([
        'STAGE_SUPERVISOR_GAVE_UP',
        'STAGE_GROUP_GAVE_UP',
        'database unreachable',
      ]);
      await app.close();
    });

    it('restarts the module at once, cancelling the wait, when its group is started by hand', async () => {
      const { app, registry, fragile } = await bootGivingUp({ logging: false });

      fragile.failing = false;
      registry.start('Fragile.run');
      await vi.advanceTimersByTimeAsync(10);
      expect(fragile.attempts).toBe(4);
      expect(registry.health().healthy).toBe(true);

      await vi.advanceTimersByTimeAsync(60_000);
      expect(fragile.attempts).toBe(4);
      await app.close();
    });

    it('keeps a group stopped by hand stopped when the root restarts its module', async () => {
      const { app, registry, fragile } = await bootGivingUp({ logging: false });

      await registry.stop('Fragile.run');
      fragile.failing = false;
      await vi.advanceTimersByTimeAsync(30_010);

      expect(registry.health().healthy).toBe(true);
      expect(fragile.attempts).toBe(3);
      expect(registry.status('Fragile.run').state.kind).not.toBe('running');

      registry.start('Fragile.run');
      await vi.advanceTimersByTimeAsync(10);
      expect(fragile.attempts).toBe(4);
      await app.close();
    });

    it('restarts a spawned group that gave up after the wait, or at once when started by hand', async () => {
      const { app, registry, events } = await bootGivingUp({ logging: false });
      let runs = 0;
      let failing = true;
      registry.spawn({
        name: 'tenant-7',
        backoff: { minMs: 0, maxMs: 0 },
        intensity: { maxRestarts: 0, withinMs: 1_000 },
        task: async ({ signal }) => {
          runs++;
          if (failing) throw new Error('tenant offline');
          await aborted(signal);
        },
      });
      await vi.advanceTimersByTimeAsync(10);

      expect(runs).toBe(1);
      expect(
        events.filter((event) => event.type === 'root-restart-scheduled').at(-1),
      ).toMatchObject({ child: 'tenant-7', path: ['root', 'tenant-7'], delayMs: 30_000 });
      expect(registry.get('tenant-7').health.kind).toBe('restart-pending');

      failing = false;
      registry.start('tenant-7');
      await vi.advanceTimersByTimeAsync(10);
      expect(runs).toBe(2);
      expect(registry.get('tenant-7').health.kind).toBe('healthy');
      await vi.advanceTimersByTimeAsync(30_000);
      expect(runs).toBe(2);
      await app.close();
    });

    it('leaves no timer behind when the application closes during the wait', async () => {
      const { app, registry } = await bootGivingUp({ logging: false });
      expect(registry.get('Fragile.run').health.kind).toBe('restart-pending');

      await app.close();

      expect(vi.getTimerCount()).toBe(0);
      expect(registry.get('Fragile.run').health.kind).toBe('gave-up');
    });

    it('does not schedule a restart for a module that gives up while the application shuts down', async () => {
      @Injectable()
      class SlowToClose implements OnModuleDestroy {
        @Supervised()
        async idle({ signal }: TaskContext): Promise<void> {
          await aborted(signal);
        }

        async onModuleDestroy(): Promise<void> {
          await sleep(100);
        }
      }
      const { app, logs } = await boot({
        imports: [StageModule.forRoot(), FragileModule],
        providers: [SlowToClose],
      });
      const registry = app.get(StageRegistry);
      const fragile = app.get(Fragile);
      fragile.failing = false;
      await vi.advanceTimersByTimeAsync(10);
      const events: StageEvent[] = [];
      registry.events$.subscribe((event) => events.push(event));

      const closing = app.close();
      await vi.advanceTimersByTimeAsync(1);
      fragile.failing = true;
      registry.resize('Fragile.run', 0);
      registry.resize('Fragile.run', 1);
      await vi.advanceTimersByTimeAsync(10);
      expect(events.map((event) => event.type)).toContain('gave-up');
      await vi.advanceTimersByTimeAsync(100);
      await closing;

      expect(events.map((event) => event.type)).not.toContain('root-restart-scheduled');
      expect(registry.get('Fragile.run').health.kind).toBe('gave-up');
      expect(logs.entries.map((entry) => entry.message)).not.toContain(
        expect.stringContaining('Stage restarts it'),
      );
      expect(logs.under('Stage', 'warn').map((entry) => entry.message)).toContain(
        '"FragileModule" gave up while the application shuts down; it is not restarted.',
      );
    });
  });

  describe('with the shutdown policy', () => {
    it('calls the shutdown callback once, with the failed subtree and its error', async () => {
      const shutdown = vi.fn<(report: GiveUpReport) => void>();
      const { app, registry, events, logs } = await bootGivingUp({
        onGiveUp: { action: 'shutdown', shutdown },
      });

      expect(shutdown).toHaveBeenCalledTimes(1);
      const [report] = shutdown.mock.calls[0]!;
      expect(report.child).toBe('FragileModule');
      expect(report.path).toEqual(['root', 'FragileModule']);
      expect(isStageError(report.error, 'STAGE_SUPERVISOR_GAVE_UP')).toBe(true);
      expect(registry.get('Fragile.run').health.kind).toBe('gave-up');
      expect(registry.health()).toMatchObject({ healthy: false, status: 'gave-up' });
      expect(events.map((event) => event.type)).toContain('root-shutdown');
      expect(logs.under('Stage', 'error').map((entry) => entry.message)).toContain(
        '"FragileModule" gave up; shutting the application down.',
      );

      registry.start('Fragile.run');
      await vi.advanceTimersByTimeAsync(10);
      expect(shutdown).toHaveBeenCalledTimes(1);
      await app.close();
    });

    it('logs a shutdown callback that throws, and keeps running', async () => {
      const { app, logs } = await bootGivingUp({
        onGiveUp: {
          action: 'shutdown',
          shutdown: () => {
            throw new Error('no way out');
          },
        },
      });

      expect(logs.under('Stage', 'error').map((entry) => entry.message)).toContain(
        'The onGiveUp shutdown callback failed: no way out',
      );
      await app.close();
    });

    it('sends SIGTERM to the process by default', async () => {
      const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
      stubSigtermListeners(1);

      const { app } = await bootGivingUp({ onGiveUp: { action: 'shutdown' } });

      expect(kill).toHaveBeenCalledWith(process.pid, 'SIGTERM');
      await app.close();
    });

    it('warns when nothing handles SIGTERM, as the hooks would not run', async () => {
      vi.spyOn(process, 'kill').mockImplementation(() => true);
      stubSigtermListeners(0);

      const { app, logs } = await bootGivingUp({ onGiveUp: { action: 'shutdown' } });

      expect(logs.under('Stage', 'warn').map((entry) => entry.message)).toEqual([
        expect.stringContaining('Call app.enableShutdownHooks()'),
      ]);
      await app.close();
    });
  });
});
