import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  DuplicateGroupError,
  InvalidOptionError,
  StageModule,
  StageNotRunningError,
  StageRegistry,
  Supervised,
  type TaskContext,
  UnknownGroupError,
} from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

/** Counts how many runs of its method are in progress. */
@Injectable()
class Pump {
  running = 0;
  starts = 0;

  @Supervised({ name: 'pump', size: 2 })
  async run({ signal }: TaskContext): Promise<void> {
    this.running++;
    this.starts++;
    await aborted(signal);
    this.running--;
  }
}

async function bootPump(): Promise<{
  app: Awaited<ReturnType<typeof boot>>['app'];
  registry: StageRegistry;
  pump: Pump;
}> {
  const { app } = await boot({
    imports: [StageModule.forRoot({ logging: false })],
    providers: [Pump],
  });
  const pump = app.get(Pump);
  await vi.waitFor(() => expect(pump.running).toBe(2));
  return { app, registry: app.get(StageRegistry), pump };
}

describe('StageRegistry', () => {
  describe('list and get', () => {
    it('lists every group with its origin, status and health', async () => {
      const { app, registry } = await bootPump();

      expect(registry.list()).toEqual([
        {
          name: 'pump',
          origin: 'Pump@run',
          status: expect.objectContaining({
            name: 'pump',
            size: 2,
            running: 2,
            restart: 'on-failure',
            state: expect.objectContaining({ kind: 'running' }),
          }),
          health: { kind: 'healthy' },
        },
      ]);
      expect(registry.get('pump')).toEqual(registry.list()[0]);
      expect(registry.status('pump').running).toBe(2);
      expect(registry.has('pump')).toBe(true);
      expect(registry.has('pumps')).toBe(false);
      await app.close();
    });

    it('throws a typed error naming the known groups for an unknown name', async () => {
      const { app, registry } = await bootPump();

      expect(() => registry.get('pumps')).toThrow(UnknownGroupError);
      expect(() => registry.get('pumps')).toThrow(
        'No group is named "pumps". Known groups: "pump"',
      );
      expect(() => registry.status('pumps')).toThrow(UnknownGroupError);
      expect(() => registry.start('pumps')).toThrow(UnknownGroupError);
      expect(() => registry.resize('pumps', 1)).toThrow(UnknownGroupError);
      await expect(registry.stop('pumps')).rejects.toThrow(UnknownGroupError);
      await expect(registry.remove('pumps')).rejects.toThrow(UnknownGroupError);
      await app.close();
    });
  });

  describe('stop and start', () => {
    it('stops a group, which then starts nothing until started again', async () => {
      const { app, registry, pump } = await bootPump();

      const report = await registry.stop('pump');

      expect(report).toEqual({ settled: 2, abandoned: [], clean: true });
      expect(pump.running).toBe(0);
      expect(registry.status('pump').state.kind).toBe('stopped');

      registry.start('pump');
      await vi.waitFor(() => expect(pump.running).toBe(2));
      expect(pump.starts).toBe(4);
      await app.close();
    });

    it('does nothing when starting a running group', async () => {
      const { app, registry, pump } = await bootPump();

      registry.start('pump');
      await new Promise((resolve) => setImmediate(resolve));

      expect(pump.starts).toBe(2);
      await app.close();
    });

    it('runs no task body synchronously inside start', async () => {
      const { app, registry, pump } = await bootPump();
      await registry.stop('pump');

      registry.start('pump');

      expect(pump.running).toBe(0);
      await vi.waitFor(() => expect(pump.running).toBe(2));
      await app.close();
    });

    it('rejects a stop with an invalid timeout', async () => {
      const { app, registry } = await bootPump();

      await expect(registry.stop('pump', { timeoutMs: -1 })).rejects.toThrow(InvalidOptionError);
      expect(registry.status('pump').state.kind).toBe('running');
      await app.close();
    });

    it('refuses to start a group before the application bootstrapped', async () => {
      @Injectable()
      class Early implements OnModuleInit {
        refusal: unknown;

        constructor(private readonly registry: StageRegistry) {}

        onModuleInit(): void {
          this.registry.spawn({ name: 'early', task: ({ signal }) => aborted(signal) });
          try {
            this.registry.start('early');
          } catch (error) {
            this.refusal = error;
          }
        }
      }

      const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Early] });

      expect(app.get(Early).refusal).toBeInstanceOf(StageNotRunningError);
      expect(String(app.get(Early).refusal)).toContain('before the application bootstrapped');
      await app.close();
    });

    it('refuses to start a group once the application has shut down', async () => {
      const { app, registry } = await bootPump();
      await app.close();

      expect(() => registry.start('pump')).toThrow(StageNotRunningError);
      expect(() => registry.start('pump')).toThrow(
        'after the application shut down (app.close() had resolved)',
      );
    });
  });

  describe('resize', () => {
    it('grows and shrinks a running group', async () => {
      const { app, registry, pump } = await bootPump();

      registry.resize('pump', 4);
      await vi.waitFor(() => expect(pump.running).toBe(4));
      registry.resize('pump', 1);
      await vi.waitFor(() => expect(pump.running).toBe(1));

      expect(registry.status('pump').size).toBe(1);
      await app.close();
    });

    it('rejects an invalid size with a typed error', async () => {
      const { app, registry } = await bootPump();

      expect(() => registry.resize('pump', 1.5)).toThrow(InvalidOptionError);
      expect(registry.status('pump').size).toBe(2);
      await app.close();
    });
  });

  describe('spawn', () => {
    it('starts a dynamic group at once and stops it at shutdown', async () => {
      const { app, registry } = await bootPump();
      let running = 0;

      const info = registry.spawn({
        name: 'tenant-42',
        size: 3,
        task: async ({ signal }) => {
          running++;
          await aborted(signal);
          running--;
        },
      });

      expect(info).toMatchObject({
        name: 'tenant-42',
        origin: 'spawn',
        health: { kind: 'healthy' },
      });
      expect(running).toBe(0);
      await vi.waitFor(() => expect(running).toBe(3));
      await app.close();
      expect(running).toBe(0);
      expect(registry.status('tenant-42').state.kind).toBe('stopped');
    });

    it.each([
      ['options that are not an object', null, 'options'],
      ['an owner that is not an object', { name: 'x', task: () => undefined, owner: 5 }, 'owner'],
      ['a null owner', { name: 'y', task: () => undefined, owner: null }, 'owner'],
    ])(
      'refuses %s with InvalidOptionError, registering nothing',
      async (_what, options, option) => {
        const { app, registry } = await bootPump();
        const before = registry.list().length;

        expect(() => registry.spawn(options as never)).toThrow(InvalidOptionError);
        expect(() => registry.spawn(options as never)).toThrow(`"${option}"`);

        expect(registry.list()).toHaveLength(before);
        await app.close();
      },
    );

    it('applies the root group defaults to a spawned group', async () => {
      const { app } = await boot({
        imports: [StageModule.forRoot({ groups: { restart: 'always' } })],
      });
      const registry = app.get(StageRegistry);

      registry.spawn({ name: 'ticker', task: async () => undefined });

      expect(registry.status('ticker').restart).toBe('always');
      await app.close();
    });

    it('starts a group spawned before bootstrap with the application', async () => {
      let runs = 0;
      @Injectable()
      class Spawner implements OnModuleInit {
        constructor(private readonly registry: StageRegistry) {}

        onModuleInit(): void {
          this.registry.spawn({
            name: 'early',
            task: async ({ signal }) => {
              runs++;
              await aborted(signal);
            },
          });
        }
      }

      const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Spawner] });

      await vi.waitFor(() => expect(runs).toBe(1));
      await app.close();
    });

    it('stops a group spawned with an owner in that owner’s destroy phase', async () => {
      const order: string[] = [];
      @Injectable()
      class Spawner implements OnModuleInit, OnModuleDestroy {
        constructor(private readonly registry: StageRegistry) {}

        onModuleInit(): void {
          this.registry.spawn({
            name: 'owned',
            owner: this,
            task: async ({ signal }) => {
              await aborted(signal);
              order.push('task settled');
            },
          });
        }

        onModuleDestroy(): void {
          order.push('owner destroyed');
        }
      }

      const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Spawner] });
      await vi.waitFor(() => expect(app.get(StageRegistry).status('owned').running).toBe(1));
      await app.close();

      expect(order).toEqual(['task settled', 'owner destroyed']);
    });

    it('rejects a taken name, naming both origins', async () => {
      const { app, registry } = await bootPump();

      expect(() => registry.spawn({ name: 'pump', task: async () => undefined })).toThrow(
        DuplicateGroupError,
      );
      expect(() => registry.spawn({ name: 'pump', task: async () => undefined })).toThrow(
        'Two groups are named "pump": Pump@run and spawn',
      );
      await app.close();
    });

    it('rejects invalid options with the core error', async () => {
      const { app, registry } = await bootPump();

      expect(() => registry.spawn({ name: 'bad', task: async () => undefined, size: -2 })).toThrow(
        'Invalid option "size" for group "bad"',
      );
      expect(registry.has('bad')).toBe(false);
      await app.close();
    });

    it('refuses to spawn once the application has shut down', async () => {
      const { app, registry } = await bootPump();
      await app.close();

      const late = () => registry.spawn({ name: 'late', task: async () => undefined });
      expect(late).toThrow(StageNotRunningError);
      expect(late).toThrow(
        'StageRegistry.spawn({ name: "late" }) was called after the application shut down',
      );
    });
  });

  describe('remove', () => {
    it('stops a group and frees its name', async () => {
      const { app, registry } = await bootPump();
      registry.spawn({ name: 'temp', task: ({ signal }) => aborted(signal) });
      await vi.waitFor(() => expect(registry.status('temp').running).toBe(1));

      const report = await registry.remove('temp');

      expect(report.clean).toBe(true);
      expect(registry.has('temp')).toBe(false);
      registry.spawn({ name: 'temp', task: ({ signal }) => aborted(signal) });
      expect(registry.has('temp')).toBe(true);
      await app.close();
    });
  });

  describe('health', () => {
    it('is healthy while running with no failed subtree, and not running once closed', async () => {
      const { app, registry } = await bootPump();

      expect(registry.health()).toEqual({ healthy: true, status: 'healthy' });
      await app.close();
      expect(registry.health()).toEqual({ healthy: false, status: 'not-running' });
    });
  });
});
