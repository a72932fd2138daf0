import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ConflictingOptionsError,
  InvalidOptionError,
  OptionsReadEarlyError,
  type StageModuleOptions,
  type StageOptionsFactory,
  StageModule,
  StageRegistry,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';
import { CaptureLogger } from './support/capture-logger.js';

/** Counts the runs of its supervised method across every test of this file. */
const runs = { count: 0 };

@Injectable()
class Heartbeat {
  @Supervised()
  async beat({ signal }: TaskContext): Promise<void> {
    runs.count++;
    await aborted(signal);
  }
}

afterEach(() => {
  runs.count = 0;
  vi.useRealTimers();
});

describe('StageModule', () => {
  describe('forRoot', () => {
    it('boots, runs a supervised method and closes cleanly', async () => {
      const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Heartbeat] });

      await vi.waitFor(() => expect(runs.count).toBe(1));
      const registry = app.get(StageRegistry);
      expect(registry.get('Heartbeat.beat').status.state.kind).toBe('running');

      await app.close();
      expect(registry.get('Heartbeat.beat').status.state.kind).toBe('stopped');
    });

    it('uses the defaults when StageModule is imported without options', async () => {
      const { app } = await boot({ imports: [StageModule], providers: [Heartbeat] });

      await vi.waitFor(() => expect(runs.count).toBe(1));
      await app.close();
    });

    it('runs each supervised method exactly once when imported in two modules', async () => {
      @Module({ imports: [StageModule.forRoot({ logging: false })], providers: [Heartbeat] })
      class FeatureA {}
      @Module({ imports: [StageModule.forRoot({ logging: false })] })
      class FeatureB {}

      const { app } = await boot({
        imports: [FeatureA, FeatureB, StageModule.forRoot({ logging: false })],
      });

      await vi.waitFor(() => expect(runs.count).toBe(1));
      expect(
        app
          .get(StageRegistry)
          .list()
          .map((group) => group.name),
      ).toEqual(['Heartbeat.beat']);
      await app.close();
      expect(runs.count).toBe(1);
    });

    it('shares one registry between every import', async () => {
      @Injectable()
      class Consumer {
        constructor(readonly registry: StageRegistry) {}
      }
      @Module({ imports: [StageModule.forRoot()], providers: [Consumer], exports: [Consumer] })
      class Feature {}

      const { app } = await boot({ imports: [Feature, StageModule.forRoot()] });

      expect(app.get(Consumer).registry).toBe(app.get(StageRegistry));
      await app.close();
    });

    it('fails the bootstrap when two imports have conflicting options', async () => {
      @Module({ imports: [StageModule.forRoot({ groups: { shutdownTimeoutMs: 1_000 } })] })
      class Feature {}

      const compiling = Test.createTestingModule({
        imports: [Feature, StageModule.forRoot({ groups: { shutdownTimeoutMs: 2_000 } })],
      })
        .setLogger(new CaptureLogger())
        .compile();

      await expect(compiling).rejects.toThrow(ConflictingOptionsError);
      await expect(compiling).rejects.toThrow(/"groups\.shutdownTimeoutMs" is (1000|2000)/);
    });

    it('fails the bootstrap on an invalid option, naming it', async () => {
      const compiling = Test.createTestingModule({
        imports: [StageModule.forRoot({ groups: { restart: 'sometimes' } } as never)],
      })
        .setLogger(new CaptureLogger())
        .compile();

      await expect(compiling).rejects.toThrow(InvalidOptionError);
      await expect(compiling).rejects.toThrow(
        'Invalid option "groups.restart" for StageModule options',
      );
    });
  });

  describe('forRootAsync', () => {
    @Injectable()
    class AppConfig {
      readonly shutdownTimeoutMs = 250;
    }
    @Module({ providers: [AppConfig], exports: [AppConfig] })
    class ConfigModule {}

    it('resolves the options with a factory and its injected dependencies', async () => {
      const { app } = await boot({
        imports: [
          StageModule.forRootAsync({
            imports: [ConfigModule],
            inject: [AppConfig],
            useFactory: (config: AppConfig): StageModuleOptions => ({
              groups: { shutdownTimeoutMs: config.shutdownTimeoutMs },
            }),
          }),
        ],
        providers: [Heartbeat],
      });

      await vi.waitFor(() => expect(runs.count).toBe(1));
      await app.close();
    });

    it('applies the options it resolved: a group waits for its stop no longer than they say', async () => {
      @Injectable()
      class Stubborn {
        started = false;

        @Supervised()
        async run(): Promise<void> {
          this.started = true;
          // Ignores its signal: abandoned once the resolved shutdown deadline has passed.
          await new Promise(() => undefined);
        }
      }
      const { app, logs } = await boot({
        imports: [
          StageModule.forRootAsync({
            imports: [ConfigModule],
            inject: [AppConfig],
            useFactory: (config: AppConfig): StageModuleOptions => ({
              groups: { shutdownTimeoutMs: config.shutdownTimeoutMs },
            }),
          }),
        ],
        providers: [Stubborn],
      });
      await vi.waitFor(() => expect(app.get(Stubborn).started).toBe(true));
      vi.useFakeTimers();

      const closed = app.close();
      await vi.advanceTimersByTimeAsync(249);
      const early = logs.entries.some((entry) => entry.message.includes('abandoning'));
      await vi.advanceTimersByTimeAsync(1);
      await closed;

      expect(early).toBe(false);
      expect(logs.under('Stubborn.run', 'warn').map((entry) => entry.message)).toEqual([
        expect.stringContaining('stopped, abandoning 1 task that did not settle in time'),
      ]);
    });

    it('resolves the options with an async factory', async () => {
      const { app } = await boot({
        imports: [StageModule.forRootAsync({ useFactory: async () => ({ logging: false }) })],
        providers: [Heartbeat],
      });

      await vi.waitFor(() => expect(runs.count).toBe(1));
      await app.close();
    });

    it('resolves the options with an options class', async () => {
      @Injectable()
      class StageConfig implements StageOptionsFactory {
        createStageOptions(): StageModuleOptions {
          return { skipScopedProviders: true };
        }
      }

      const { app } = await boot({
        imports: [StageModule.forRootAsync({ useClass: StageConfig })],
        providers: [Heartbeat],
      });

      await vi.waitFor(() => expect(runs.count).toBe(1));
      await app.close();
    });

    it('resolves the options with an existing provider', async () => {
      @Injectable()
      class SharedConfig implements StageOptionsFactory {
        createStageOptions(): StageModuleOptions {
          return {};
        }
      }
      @Module({ providers: [SharedConfig], exports: [SharedConfig] })
      class SharedConfigModule {}

      const { app } = await boot({
        imports: [
          StageModule.forRootAsync({ imports: [SharedConfigModule], useExisting: SharedConfig }),
        ],
        providers: [Heartbeat],
      });

      await vi.waitFor(() => expect(runs.count).toBe(1));
      await app.close();
    });

    it('validates the resolved options with the same errors as forRoot', async () => {
      const compiling = Test.createTestingModule({
        imports: [
          StageModule.forRootAsync({
            useFactory: () => ({ onGiveUp: { action: 'restart', backoff: { factor: 0 } } }),
          }),
        ],
      })
        .setLogger(new CaptureLogger())
        .compile();

      await expect(compiling).rejects.toThrow(InvalidOptionError);
      await expect(compiling).rejects.toThrow('"onGiveUp.backoff.factor"');
    });

    it('fails the bootstrap when the factory resolves nothing', async () => {
      const compiling = Test.createTestingModule({
        imports: [StageModule.forRootAsync({ useFactory: () => undefined as never })],
      })
        .setLogger(new CaptureLogger())
        .compile();

      await expect(compiling).rejects.toThrow('Invalid option "options" for StageModule options');
    });

    it('detects a conflict between forRoot and forRootAsync', async () => {
      @Module({ imports: [StageModule.forRootAsync({ useFactory: () => ({ logging: false }) })] })
      class Feature {}

      const compiling = Test.createTestingModule({
        imports: [Feature, StageModule.forRoot({ logging: true })],
      })
        .setLogger(new CaptureLogger())
        .compile();

      await expect(compiling).rejects.toThrow(ConflictingOptionsError);
    });

    it('fails the bootstrap when a constructor used Stage before a slow factory resolved different options', async () => {
      @Injectable()
      class EarlySpawner {
        constructor(registry: StageRegistry) {
          registry.spawn({ name: 'early', task: async ({ signal }) => aborted(signal) });
        }
      }
      const slowOptions = async (): Promise<StageModuleOptions> => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { groups: { restart: 'always' } };
      };

      const compiling = Test.createTestingModule({
        imports: [StageModule.forRootAsync({ useFactory: slowOptions })],
        providers: [EarlySpawner],
      })
        .setLogger(new CaptureLogger())
        .compile();

      await expect(compiling).rejects.toThrow(OptionsReadEarlyError);
      await expect(compiling).rejects.toThrow('"groups.restart"');
    });

    it('accepts equal options from forRoot and forRootAsync', async () => {
      @Module({ imports: [StageModule.forRootAsync({ useFactory: () => ({ logging: false }) })] })
      class Feature {}

      const { app } = await boot({
        imports: [Feature, StageModule.forRoot({ logging: false })],
        providers: [Heartbeat],
      });

      await vi.waitFor(() => expect(runs.count).toBe(1));
      await app.close();
    });
  });
});
