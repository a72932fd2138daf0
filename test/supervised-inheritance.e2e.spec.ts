import { Injectable } from '@nestjs/common';
import { StageModule, StageRegistry, Supervised, type TaskContext } from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

describe('@Supervised across class hierarchies', () => {
  it('runs, at every depth of a chain, the nearest declaration of the method with its own options', async () => {
    const seen: string[] = [];
    class Base {
      @Supervised({ size: 1 })
      async run({ signal }: TaskContext): Promise<void> {
        seen.push('Base');
        await aborted(signal);
      }
    }
    class Middle extends Base {
      @Supervised({ size: 2 })
      override async run({ signal }: TaskContext): Promise<void> {
        seen.push('Middle');
        await aborted(signal);
      }
    }
    @Injectable()
    class Inherits extends Middle {}
    @Injectable()
    class Overrides extends Inherits {
      override async run(_ctx: TaskContext): Promise<void> {
        seen.push('Overrides');
      }
    }
    @Injectable()
    class Redecorates extends Overrides {
      @Supervised({ size: 3 })
      override async run({ signal }: TaskContext): Promise<void> {
        seen.push('Redecorates');
        await aborted(signal);
      }
    }

    const { app } = await boot({
      imports: [StageModule.forRoot()],
      providers: [Inherits, Overrides, Redecorates],
    });
    await vi.waitFor(() => expect(seen).toHaveLength(5));

    expect([...seen].sort()).toEqual([
      'Middle',
      'Middle',
      'Redecorates',
      'Redecorates',
      'Redecorates',
    ]);
    expect(
      app
        .get(StageRegistry)
        .list()
        .map((group) => `${group.name} x${group.status.size}`),
    ).toEqual(['Inherits.run x2', 'Redecorates.run x3']);
    await app.close();
  });

  it('names the groups of a class-factory mixin after each class that applies it', async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeScript's mixin constructor type
    type Constructor = new (...args: any[]) => object;
    function Polling<TBase extends Constructor>(base: TBase) {
      class WithPolling extends base {
        @Supervised()
        async poll({ signal }: TaskContext): Promise<void> {
          await aborted(signal);
        }
      }
      return WithPolling;
    }
    @Injectable()
    class Orders extends Polling(class Record {}) {}
    @Injectable()
    class Invoices extends Polling(class Document {}) {}

    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Orders, Invoices] });

    expect(
      app
        .get(StageRegistry)
        .list()
        .map((group) => group.name),
    ).toEqual(['Orders.poll', 'Invoices.poll']);
    await app.close();
  });

  it('supervises a method decorated by hand and defined with Object.defineProperty', async () => {
    let runs = 0;
    @Injectable()
    class Cron {}
    const descriptor: PropertyDescriptor = {
      async value({ signal }: TaskContext): Promise<void> {
        runs++;
        await aborted(signal);
      },
      configurable: true,
      writable: true,
      enumerable: false,
    };
    Supervised()(Cron.prototype, 'tick', descriptor as never);
    Object.defineProperty(Cron.prototype, 'tick', descriptor);

    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Cron] });
    await vi.waitFor(() => expect(runs).toBe(1));

    expect(app.get(StageRegistry).has('Cron.tick')).toBe(true);
    await app.close();
  });
});
