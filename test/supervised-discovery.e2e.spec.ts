import { Controller, Inject, Injectable, Module, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import {
  DuplicateGroupError,
  InvalidOptionError,
  ScopedProviderError,
  StageModule,
  StageRegistry,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

/** Boots `metadata` with Stage and expects `app.init()` to fail; returns the error. */
async function bootstrapError(
  providers: unknown[],
  options: Parameters<typeof StageModule.forRoot>[0] = {},
): Promise<unknown> {
  const { app } = await boot(
    { imports: [StageModule.forRoot(options)], providers: providers as never[] },
    { init: false },
  );
  const error: unknown = await app.init().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  await app.close();
  if (error === undefined) throw new Error('The bootstrap succeeded');
  return error;
}

describe('@Supervised discovery', () => {
  it('names a group ClassName.method by default and keeps a given name', async () => {
    @Injectable()
    class Mailer {
      @Supervised()
      async drain({ signal }: TaskContext): Promise<void> {
        await aborted(signal);
      }

      @Supervised({ name: 'mail-retry', size: 2 })
      async retry({ signal }: TaskContext): Promise<void> {
        await aborted(signal);
      }
    }

    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Mailer] });
    const groups = app.get(StageRegistry).list();

    expect(groups.map(({ name, origin }) => ({ name, origin }))).toEqual([
      { name: 'Mailer.drain', origin: 'Mailer@drain' },
      { name: 'mail-retry', origin: 'Mailer@retry' },
    ]);
    expect(groups[1]?.status.size).toBe(2);
    await app.close();
  });

  it('passes the task context and runs the method on its instance', async () => {
    const seen: { self: unknown; group: string; index: number; attempt: number }[] = [];
    @Injectable()
    class Worker {
      @Supervised({ size: 2 })
      async run(ctx: TaskContext): Promise<void> {
        seen.push({ self: this, group: ctx.group, index: ctx.index, attempt: ctx.attempt });
        await aborted(ctx.signal);
      }
    }

    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Worker] });
    await vi.waitFor(() => expect(seen).toHaveLength(2));

    const worker = app.get(Worker);
    expect(seen).toEqual([
      { self: worker, group: 'Worker.run', index: 0, attempt: 1 },
      { self: worker, group: 'Worker.run', index: 1, attempt: 1 },
    ]);
    await app.close();
  });

  it('discovers a provider exposed through useExisting once', async () => {
    let runs = 0;
    @Injectable()
    class Poller {
      @Supervised()
      async poll({ signal }: TaskContext): Promise<void> {
        runs++;
        await aborted(signal);
      }
    }

    const { app } = await boot({
      imports: [StageModule.forRoot()],
      providers: [Poller, { provide: 'POLLER_ALIAS', useExisting: Poller }],
    });
    await vi.waitFor(() => expect(runs).toBe(1));

    expect(app.get(StageRegistry).list()).toHaveLength(1);
    await app.close();
    expect(runs).toBe(1);
  });

  it('discovers an instance exposed under two tokens once', async () => {
    @Injectable()
    class Poller {
      @Supervised()
      async poll({ signal }: TaskContext): Promise<void> {
        await aborted(signal);
      }
    }
    const poller = new Poller();

    const { app } = await boot({
      imports: [StageModule.forRoot()],
      providers: [
        { provide: 'FIRST', useValue: poller },
        { provide: 'SECOND', useFactory: () => poller },
      ],
    });

    expect(
      app
        .get(StageRegistry)
        .list()
        .map((group) => group.name),
    ).toEqual(['Poller.poll']);
    await app.close();
  });

  it('discovers a provider made by a factory', async () => {
    let runs = 0;
    class Poller {
      @Supervised()
      async poll({ signal }: TaskContext): Promise<void> {
        runs++;
        await aborted(signal);
      }
    }

    const { app } = await boot({
      imports: [StageModule.forRoot()],
      providers: [{ provide: 'POLLER', useFactory: async () => new Poller() }],
    });

    await vi.waitFor(() => expect(runs).toBe(1));
    await app.close();
  });

  it('skips values that are not objects or have no prototype', async () => {
    const { app } = await boot({
      imports: [StageModule.forRoot()],
      providers: [
        { provide: 'NUMBER', useValue: 42 },
        { provide: 'NULL', useValue: null },
        { provide: 'BARE', useValue: Object.create(null) as object },
        { provide: 'FUNCTION', useValue: () => undefined },
      ],
    });

    expect(app.get(StageRegistry).list()).toEqual([]);
    await app.close();
  });

  it('names a subclass after itself when it inherits a supervised method', async () => {
    class BaseConsumer {
      @Supervised()
      async consume({ signal }: TaskContext): Promise<void> {
        await aborted(signal);
      }
    }
    @Injectable()
    class OrdersConsumer extends BaseConsumer {}

    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [OrdersConsumer] });

    expect(
      app
        .get(StageRegistry)
        .list()
        .map((group) => group.origin),
    ).toEqual(['OrdersConsumer@consume']);
    await app.close();
  });

  it.each([
    ['applied after @Supervised', 'outer'],
    ['applied before @Supervised', 'inner'],
  ])('keeps a method supervised under a decorator that wraps it, %s', async (_, position) => {
    const calls: string[] = [];
    /** A method decorator that replaces the method with a logging wrapper. */
    const Logged = (): MethodDecorator => (_target, _key, descriptor: PropertyDescriptor) => {
      const original = descriptor.value as (...args: unknown[]) => unknown;
      descriptor.value = function (this: unknown, ...args: unknown[]) {
        calls.push('logged');
        return original.apply(this, args);
      };
    };
    const run = async ({ signal }: TaskContext): Promise<void> => {
      calls.push('run');
      await aborted(signal);
    };
    @Injectable()
    class Outer {
      @Logged()
      @Supervised()
      async run(ctx: TaskContext): Promise<void> {
        await run(ctx);
      }
    }
    @Injectable()
    class Inner {
      @Supervised()
      @Logged()
      async run(ctx: TaskContext): Promise<void> {
        await run(ctx);
      }
    }

    const provider = position === 'outer' ? Outer : Inner;
    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [provider] });
    await vi.waitFor(() => expect(calls).toEqual(['logged', 'run']));

    expect(app.get(StageRegistry).has(`${provider.name}.run`)).toBe(true);
    await app.close();
  });

  it('does not supervise a subclass method that overrides a supervised one undecorated', async () => {
    class BaseConsumer {
      @Supervised()
      async consume({ signal }: TaskContext): Promise<void> {
        await aborted(signal);
      }
    }
    @Injectable()
    class ManualConsumer extends BaseConsumer {
      override async consume(): Promise<void> {}
    }

    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [ManualConsumer] });

    expect(app.get(StageRegistry).list()).toEqual([]);
    await app.close();
  });

  it('supervises a controller method too', async () => {
    @Controller()
    class StatusController {
      @Supervised()
      async refresh({ signal }: TaskContext): Promise<void> {
        await aborted(signal);
      }
    }

    const { app } = await boot({
      imports: [StageModule.forRoot()],
      controllers: [StatusController],
    });

    expect(app.get(StageRegistry).has('StatusController.refresh')).toBe(true);
    await app.close();
  });

  describe('bad wiring', () => {
    it('fails the bootstrap on an invalid option, naming Class@method and the option', async () => {
      @Injectable()
      class Importer {
        @Supervised({ size: -1 })
        async run(): Promise<void> {}
      }

      const error = await bootstrapError([Importer]);

      expect(error).toBeInstanceOf(InvalidOptionError);
      expect(error).toMatchObject({ owner: 'Importer@run', option: 'size', received: -1 });
      expect(String(error)).toContain('Invalid option "size" for Importer@run');
    });

    it('names a nested option with its path', async () => {
      @Injectable()
      class Importer {
        @Supervised({ backoff: { minMs: 10, maxMs: 5 } })
        async run(): Promise<void> {}
      }

      const error = await bootstrapError([Importer]);

      expect(error).toMatchObject({ owner: 'Importer@run', option: 'backoff.maxMs' });
    });

    it('rejects a backoff that is not an object, even over root defaults', async () => {
      @Injectable()
      class Importer {
        @Supervised({ backoff: 5 } as never)
        async run(): Promise<void> {}
      }

      const error = await bootstrapError([Importer], { groups: { backoff: { minMs: 1 } } });

      expect(error).toMatchObject({ owner: 'Importer@run', option: 'backoff', received: 5 });
    });

    it('merges a partial backoff over the root defaults', async () => {
      @Injectable()
      class Importer {
        @Supervised({ backoff: { minMs: 100 } })
        async run(): Promise<void> {}
      }

      const error = await bootstrapError([Importer], {
        groups: { backoff: { minMs: 0, maxMs: 50 } },
      });

      expect(error).toMatchObject({ owner: 'Importer@run', option: 'backoff.maxMs', received: 50 });
    });

    it('rejects an empty name', async () => {
      @Injectable()
      class Importer {
        @Supervised({ name: ' ' })
        async run(): Promise<void> {}
      }

      expect(await bootstrapError([Importer])).toMatchObject({
        owner: 'Importer@run',
        option: 'name',
      });
    });

    it('rejects an unknown option, naming the known ones and the one it looks like', async () => {
      @Injectable()
      class Importer {
        @Supervised({ sise: 2 } as never)
        async run(): Promise<void> {}
      }

      const error = await bootstrapError([Importer]);

      expect(error).toMatchObject({ owner: 'Importer@run', option: 'sise', received: 2 });
      expect(String(error)).toContain('expected one of the options name, size, restart');
      expect(String(error)).toContain('(did you mean "size"?)');
    });

    it('rejects options that are not an object', async () => {
      @Injectable()
      class Importer {
        @Supervised(3 as never)
        async run(): Promise<void> {}
      }

      expect(await bootstrapError([Importer])).toMatchObject({
        owner: 'Importer@run',
        option: 'options',
        received: 3,
      });
    });

    it('rejects a method decorated twice', async () => {
      @Injectable()
      class Importer {
        @Supervised({ size: 1 })
        @Supervised({ size: 2 })
        async run(): Promise<void> {}
      }

      expect(await bootstrapError([Importer])).toMatchObject({
        owner: 'Importer@run',
        option: '@Supervised',
        received: 2,
      });
    });

    it('fails the bootstrap on a duplicate group name, naming both methods', async () => {
      @Injectable()
      class First {
        @Supervised({ name: 'sync' })
        async run(): Promise<void> {}
      }
      @Injectable()
      class Second {
        @Supervised({ name: 'sync' })
        async run(): Promise<void> {}
      }

      const error = await bootstrapError([First, Second]);

      expect(error).toBeInstanceOf(DuplicateGroupError);
      expect(String(error)).toContain('Two groups are named "sync": First@run and Second@run');
    });

    it('fails the bootstrap when one class is provided in two modules', async () => {
      @Injectable()
      class Shared {
        @Supervised()
        async run(): Promise<void> {}
      }
      @Module({ providers: [Shared] })
      class A {}
      @Module({ providers: [Shared] })
      class B {}

      const { app } = await boot({ imports: [StageModule.forRoot(), A, B] }, { init: false });

      const error = await app.init().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(DuplicateGroupError);
      expect(String(error)).toContain(
        'Shared@run would run twice: its class is provided by two modules, A and B.',
      );
      await app.close();
    });

    it('throws when the class is defined if @Supervised decorates a static method', () => {
      const define = () => {
        class Cron {
          @Supervised()
          static async tick(): Promise<void> {}
        }
        return Cron;
      };

      expect(define).toThrow(InvalidOptionError);
      expect(define).toThrow('Invalid option "@Supervised" for Cron@tick: expected an instance');
    });
  });

  describe('scoped providers', () => {
    it('fails the bootstrap for a request-scoped provider, naming Class@method and why', async () => {
      @Injectable({ scope: Scope.REQUEST })
      class PerRequest {
        @Supervised()
        async run(): Promise<void> {}
      }

      const error = await bootstrapError([PerRequest]);

      expect(error).toBeInstanceOf(ScopedProviderError);
      expect(String(error)).toContain(
        '@Supervised method PerRequest@run cannot run: its provider PerRequest is request-scoped',
      );
    });

    it('fails the bootstrap for a transient provider', async () => {
      @Injectable({ scope: Scope.TRANSIENT })
      class PerConsumer {
        @Supervised()
        async run(): Promise<void> {}
      }

      const error = await bootstrapError([PerConsumer]);

      expect(error).toBeInstanceOf(ScopedProviderError);
      expect(String(error)).toContain(
        'PerConsumer@run cannot run: its provider PerConsumer is transient',
      );
    });

    it('fails the bootstrap for a provider that depends on something request-scoped', async () => {
      @Injectable({ scope: Scope.REQUEST })
      class RequestContext {}
      @Injectable()
      class Repository {
        constructor(readonly context: RequestContext) {}
      }
      @Injectable()
      class Reports {
        constructor(readonly repository: Repository) {}

        @Supervised()
        async run(): Promise<void> {}
      }

      const error = await bootstrapError([RequestContext, Repository, Reports]);

      expect(error).toBeInstanceOf(ScopedProviderError);
      expect(String(error)).toContain(
        'Reports@run cannot run: its provider Reports depends on request-scoped RequestContext ' +
          '(through Repository)',
      );
    });

    it('fails the bootstrap for a provider that injects the request', async () => {
      @Injectable()
      class Audit {
        constructor(@Inject(REQUEST) readonly request: unknown) {}

        @Supervised()
        async run(): Promise<void> {}
      }

      const error = await bootstrapError([Audit]);

      expect(error).toBeInstanceOf(ScopedProviderError);
      expect(String(error)).toContain('Audit@run');
    });

    it('skips a scoped provider with a warning when the user opted in', async () => {
      @Injectable({ scope: Scope.REQUEST })
      class PerRequest {
        @Supervised()
        async run(): Promise<void> {}
      }

      const { app, logs } = await boot({
        imports: [StageModule.forRoot({ skipScopedProviders: true })],
        providers: [PerRequest],
      });

      expect(app.get(StageRegistry).list()).toEqual([]);
      expect(logs.under('Stage', 'warn').map((entry) => entry.message)).toEqual([
        'Skipping @Supervised method PerRequest@run: its provider PerRequest is request-scoped.',
      ]);
      await app.close();
    });
  });
});
