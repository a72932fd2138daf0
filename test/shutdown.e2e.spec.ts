import { setTimeout as sleep } from 'node:timers/promises';

import {
  Global,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  type Channel,
  getChannelToken,
  StageModule,
  StageRegistry,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';
import { trackTimers } from './support/timer-tracker.js';

/** A client that fails a query made or still running once it is closed, and counts them. */
@Injectable()
class Client implements OnModuleDestroy {
  closed = false;
  usesAfterClose = 0;
  readonly order: string[] = [];

  /** Fails when the client is closed before or while the query runs. */
  async query(): Promise<void> {
    this.assertOpen();
    await sleep(1);
    this.assertOpen();
  }

  private assertOpen(): void {
    if (!this.closed) return;
    this.usesAfterClose++;
    throw new Error('The client is closed');
  }

  onModuleDestroy(): void {
    this.closed = true;
    this.order.push('client closed');
  }
}

/** A supervised loop that uses the client until its signal fires. */
@Injectable()
class Consumer implements OnModuleDestroy {
  queries = 0;

  constructor(private readonly client: Client) {}

  @Supervised({ size: 2 })
  async consume({ signal }: TaskContext): Promise<void> {
    while (!signal.aborted) {
      await this.client.query();
      this.queries++;
    }
    this.client.order.push('task settled');
  }

  onModuleDestroy(): void {
    this.client.order.push('consumer destroyed');
  }
}

describe('shutdown', () => {
  it('settles every task and leaves no timer behind when the application closes', async () => {
    const hooks: string[] = [];
    let settled = 0;
    @Injectable()
    class Ticker implements BeforeApplicationShutdown, OnApplicationShutdown {
      ticks = 0;

      @Supervised({ size: 3 })
      async tick({ signal }: TaskContext): Promise<void> {
        try {
          while (!signal.aborted) {
            this.ticks++;
            await sleep(5, undefined, { signal });
          }
        } finally {
          settled++;
        }
      }

      beforeApplicationShutdown(): void {
        hooks.push('beforeApplicationShutdown');
      }
      onApplicationShutdown(): void {
        hooks.push('onApplicationShutdown');
      }
    }
    const timers = trackTimers();

    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Ticker] });
    await vi.waitFor(() => expect(app.get(Ticker).ticks).toBeGreaterThan(3));
    await app.close();

    expect(settled).toBe(3);
    expect(hooks).toEqual(['beforeApplicationShutdown', 'onApplicationShutdown']);
    expect(app.get(StageRegistry).get('Ticker.tick').status).toMatchObject({
      running: 0,
      state: { kind: 'stopped', report: { clean: true, settled: 3, abandoned: [] } },
    });
    expect(await timers.pending()).toBe(0);
    timers.disable();
  });

  it('cancels a pending restart backoff at close without waiting for it', async () => {
    let runs = 0;
    @Injectable()
    class Flaky {
      @Supervised({ backoff: { minMs: 60_000, maxMs: 60_000 } })
      async run(): Promise<void> {
        runs++;
        throw new Error('down');
      }
    }
    const timers = trackTimers();

    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false })],
      providers: [Flaky],
    });
    const registry = app.get(StageRegistry);
    await vi.waitFor(() => expect(registry.status('Flaky.run').failures).toBe(1));
    await app.close();

    expect(runs).toBe(1);
    expect(await timers.pending()).toBe(0);
    timers.disable();
  });

  describe('order', () => {
    it('stops a task before the providers it uses are destroyed (same module)', async () => {
      const { app } = await boot({
        imports: [StageModule.forRoot()],
        providers: [Client, Consumer],
      });
      await vi.waitFor(() => expect(app.get(Consumer).queries).toBeGreaterThan(4));
      const client = app.get(Client);

      await app.close();

      expect(client.usesAfterClose).toBe(0);
      expect(client.order).toEqual([
        'task settled',
        'task settled',
        'consumer destroyed',
        'client closed',
      ]);
      expect(app.get(StageRegistry).status('Consumer.consume').failures).toBe(0);
    });

    it('stops a task before a client from an imported module is closed', async () => {
      @Module({ providers: [Client], exports: [Client] })
      class ClientModule {}
      @Module({ imports: [ClientModule], providers: [Consumer] })
      class ConsumerModule {}

      const { app } = await boot({ imports: [StageModule.forRoot(), ConsumerModule] });
      await vi.waitFor(() => expect(app.get(Consumer).queries).toBeGreaterThan(4));
      const client = app.get(Client);

      await app.close();

      expect(client.usesAfterClose).toBe(0);
      expect(client.order.at(-1)).toBe('client closed');
    });

    it('stops a task before a client from a global module is closed', async () => {
      @Global()
      @Module({ providers: [Client], exports: [Client] })
      class ClientModule {}
      @Module({ providers: [Consumer] })
      class ConsumerModule {}

      const { app } = await boot({
        imports: [StageModule.forRoot(), ClientModule, ConsumerModule],
      });
      await vi.waitFor(() => expect(app.get(Consumer).queries).toBeGreaterThan(4));
      const client = app.get(Client);

      await app.close();

      expect(client.usesAfterClose).toBe(0);
      expect(client.order.at(-1)).toBe('client closed');
    });

    it('stops a task before the Stage module is destroyed when the owner is global too', async () => {
      @Global()
      @Module({ providers: [Client, Consumer], exports: [Client] })
      class InfraModule {}

      const { app } = await boot({ imports: [StageModule.forRoot(), InfraModule] });
      await vi.waitFor(() => expect(app.get(Consumer).queries).toBeGreaterThan(4));
      const client = app.get(Client);

      await app.close();

      expect(client.usesAfterClose).toBe(0);
    });

    it("stops a global owner's task before a client it imports from a plain module is closed", async () => {
      // Nest destroys a global module after the modules it imports: the owner's own destroy
      // phase would come too late, so the client's destroy phase stops the task first.
      @Module({ providers: [Client], exports: [Client] })
      class ClientModule {}
      @Global()
      @Module({ imports: [ClientModule], providers: [Consumer], exports: [Consumer] })
      class InfraModule {}

      const { app } = await boot({ imports: [StageModule.forRoot(), InfraModule] });
      await vi.waitFor(() => expect(app.get(Consumer).queries).toBeGreaterThan(4));
      const client = app.get(Client);

      await app.close();

      expect(client.usesAfterClose).toBe(0);
      expect(client.order).toEqual([
        'task settled',
        'task settled',
        'client closed',
        'consumer destroyed',
      ]);
    });

    it('stops a task before a provider it uses only through another provider is closed', async () => {
      @Injectable()
      class Repository {
        constructor(readonly client: Client) {}
      }
      @Injectable()
      class Reader {
        reads = 0;
        constructor(private readonly repository: Repository) {}

        @Supervised()
        async read({ signal }: TaskContext): Promise<void> {
          while (!signal.aborted) {
            await this.repository.client.query();
            this.reads++;
          }
        }
      }
      @Module({ providers: [Client, Repository], exports: [Repository] })
      class DataModule {}
      @Global()
      @Module({ imports: [DataModule], providers: [Reader] })
      class ReadersModule {}

      const { app } = await boot({ imports: [StageModule.forRoot(), ReadersModule] });
      await vi.waitFor(() => expect(app.get(Reader).reads).toBeGreaterThan(4));
      const client = app.get(Client);

      await app.close();

      expect(client.usesAfterClose).toBe(0);
    });

    it('starts the groups after the owner bootstrapped', async () => {
      const seen: boolean[] = [];
      @Injectable()
      class Relay implements OnApplicationBootstrap {
        connected = false;

        async onApplicationBootstrap(): Promise<void> {
          await sleep(1);
          this.connected = true;
        }

        @Supervised()
        async relay({ signal }: TaskContext): Promise<void> {
          seen.push(this.connected);
          await aborted(signal);
        }
      }

      const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Relay] });
      await vi.waitFor(() => expect(seen).toEqual([true]));
      await app.close();
    });

    it('still starts and stops the groups of an owner whose hooks cannot be wrapped', async () => {
      let running = 0;
      class Frozen {
        @Supervised()
        async run({ signal }: TaskContext): Promise<void> {
          running++;
          await aborted(signal);
          running--;
        }
      }

      const { app, logs } = await boot({
        imports: [StageModule.forRoot()],
        providers: [{ provide: Frozen, useValue: Object.freeze(new Frozen()) }],
      });
      await vi.waitFor(() => expect(running).toBe(1));

      expect(logs.under('Stage', 'warn').map((entry) => entry.message)).toEqual([
        expect.stringContaining('Stage cannot wrap the lifecycle hooks of Frozen'),
      ]);
      await app.close();
      expect(running).toBe(0);
    });
  });

  describe('a task that ignores its signal', () => {
    it('is reported as abandoned after its deadline, and the close still completes', async () => {
      let release: () => void = () => undefined;
      const stuck = new Promise<void>((resolve) => {
        release = resolve;
      });
      @Injectable()
      class Stubborn {
        @Supervised({ shutdownTimeoutMs: 20 })
        async run(): Promise<void> {
          await stuck;
        }
      }

      const { app } = await boot({
        imports: [StageModule.forRoot({ logging: false })],
        providers: [Stubborn],
      });
      const registry = app.get(StageRegistry);
      await vi.waitFor(() => expect(registry.status('Stubborn.run').running).toBe(1));

      await app.close();

      expect(registry.status('Stubborn.run').state).toEqual({
        kind: 'stopped',
        report: { settled: 0, abandoned: [{ index: 0, attempt: 1 }], clean: false },
      });
      release();
    });

    it("keeps a consumer's deadline when the wall clock is set back while its channel drains", async () => {
      @Injectable()
      class HungHandler {
        @Supervised({ channel: 'jobs', shutdownTimeoutMs: 200 })
        handle(): Promise<void> {
          return new Promise<void>(() => undefined);
        }
      }

      const { app } = await boot({
        imports: [
          StageModule.forRoot({ logging: false }),
          StageModule.forFeature({ channels: [{ name: 'jobs' }] }),
        ],
        providers: [HungHandler],
      });
      const registry = app.get(StageRegistry);
      await app.get<Channel<number>>(getChannelToken('jobs')).send(1);
      await vi.waitFor(() => expect(registry.channel('jobs').stats.inFlight).toBe(1));

      const closing = app.close();
      await sleep(50);
      const wallClock = Date.now.bind(Date);
      const setBack = vi.spyOn(Date, 'now').mockImplementation(() => wallClock() - 3_600_000);
      const outcome = await Promise.race([
        closing.then(() => 'closed'),
        sleep(3_000).then(() => 'still closing an hour later, as the wall clock tells it'),
      ]);
      setBack.mockRestore();

      expect(outcome).toBe('closed');
      expect(registry.status('HungHandler.handle').state).toMatchObject({
        kind: 'stopped',
        report: { abandoned: [{ index: 0, attempt: 1 }] },
      });
    });
  });
});
