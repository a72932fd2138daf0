import { type DynamicModule, Injectable, Module } from '@nestjs/common';
import {
  type GroupStatus,
  InvalidOptionError,
  type StageEvent,
  StageModule,
  StageRegistry,
  Supervised,
  type SupervisorStatus,
  type TaskContext,
} from 'nestjs-stage';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

@Injectable()
class Ledger {
  @Supervised()
  async post({ signal }: TaskContext): Promise<void> {
    await aborted(signal);
  }

  @Supervised()
  async reconcile({ signal }: TaskContext): Promise<void> {
    await aborted(signal);
  }
}

@Injectable()
class Invoicer {
  @Supervised()
  async send({ signal }: TaskContext): Promise<void> {
    await aborted(signal);
  }
}

@Injectable()
class Mailer {
  @Supervised()
  async deliver({ signal }: TaskContext): Promise<void> {
    await aborted(signal);
  }
}

@Module({ providers: [Ledger, Invoicer] })
class BillingModule {}

@Module({ providers: [Mailer] })
class MailModule {}

/** Gives up at its first failure while `failing` is set, so each give-up costs one run. */
@Injectable()
class Flaky {
  failing = true;
  runs = 0;

  @Supervised({ intensity: { maxRestarts: 0, withinMs: 1_000 } })
  async run({ signal }: TaskContext): Promise<void> {
    this.runs++;
    if (this.failing) throw new Error('upstream down');
    await aborted(signal);
  }
}

/** Its first run fails when tripped, with a group that gives up at once; later runs wait. */
@Injectable()
class Tripwire {
  runs = 0;
  trip: () => void = () => undefined;

  @Supervised({ intensity: { maxRestarts: 0, withinMs: 1_000 } })
  async run({ signal }: TaskContext): Promise<void> {
    this.runs++;
    if (this.runs === 1) {
      await new Promise<void>((resolve) => (this.trip = resolve));
      throw new Error('tripped');
    }
    await aborted(signal);
  }
}

/** Runs until stopped, counting its runs. */
@Injectable()
class Steady {
  runs = 0;

  @Supervised()
  async run({ signal }: TaskContext): Promise<void> {
    this.runs++;
    await aborted(signal);
  }
}

function isSupervisor(
  status: GroupStatus | SupervisorStatus | undefined,
): status is SupervisorStatus {
  return status !== undefined && 'children' in status;
}

/** The names of `status`'s children, and theirs, as nested arrays. */
function shape(status: SupervisorStatus): unknown {
  return status.children.map((child) =>
    isSupervisor(child.status) ? [child.name, shape(child.status)] : child.name,
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the supervision tree', () => {
  it('has the root, one supervisor per module with supervised work, and its groups in declaration order', async () => {
    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false }), BillingModule, MailModule],
    });
    const registry = app.get(StageRegistry);

    const tree = registry.tree();
    expect(tree).toMatchObject({ name: 'root', path: ['root'], state: { kind: 'running' } });
    expect(shape(tree)).toEqual([
      ['BillingModule', ['Ledger.post', 'Ledger.reconcile', 'Invoicer.send']],
      ['MailModule', ['Mailer.deliver']],
    ]);
    expect(registry.status('Invoicer.send').path).toEqual([
      'root',
      'BillingModule',
      'Invoicer.send',
    ]);
    await app.close();

    expect(registry.tree().state.kind).toBe('stopped');
  });

  it('names two modules of one class apart', async () => {
    @Module({})
    class WorkersModule {
      static with(provider: new (...args: never[]) => unknown): DynamicModule {
        return { module: WorkersModule, providers: [provider] };
      }
    }
    const { app } = await boot({
      imports: [
        StageModule.forRoot({ logging: false }),
        WorkersModule.with(Mailer),
        WorkersModule.with(Invoicer),
      ],
    });

    expect(shape(app.get(StageRegistry).tree())).toEqual([
      ['WorkersModule', ['Mailer.deliver']],
      ['WorkersModule#2', ['Invoicer.send']],
    ]);
    await app.close();
  });

  it("restarts a group that gave up through its module's supervisor, and escalates past its intensity", async () => {
    vi.useFakeTimers();
    @Module({
      imports: [
        StageModule.forFeature({ supervisor: { intensity: { maxRestarts: 2, withinMs: 60_000 } } }),
      ],
      providers: [Flaky],
    })
    class FlakyModule {}
    const { app } = await boot(
      { imports: [StageModule.forRoot({ logging: false }), FlakyModule] },
      {
        init: false,
      },
    );
    const events: StageEvent[] = [];
    app.get(StageRegistry).events$.subscribe((event) => events.push(event));

    await app.init();
    await vi.advanceTimersByTimeAsync(10);

    expect(app.get(Flaky).runs).toBe(3);
    const decisions = events.flatMap((event) => {
      if ('supervisor' in event && event.type === 'restarting' && event.path.length > 1) {
        return [`${event.path.join('/')} restarts ${event.children.join(', ')}`];
      }
      if (event.type === 'root-restart-scheduled') return [`root restarts ${event.child} later`];
      return [];
    });
    expect(decisions).toEqual([
      'root/FlakyModule restarts Flaky.run',
      'root/FlakyModule restarts Flaky.run',
      'root restarts FlakyModule later',
    ]);
    await app.close();
  });

  it("applies the module's strategy to the other groups of the module", async () => {
    @Module({
      imports: [StageModule.forFeature({ supervisor: { strategy: 'one-for-all' } })],
      providers: [Steady, Tripwire],
    })
    class PipelineModule {}
    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false }), PipelineModule],
    });
    const tripwire = app.get(Tripwire);
    await vi.waitFor(() => expect(tripwire.runs).toBe(1));
    expect(app.get(Steady).runs).toBe(1);

    tripwire.trip();

    await vi.waitFor(() => expect(tripwire.runs).toBe(2));
    await vi.waitFor(() => expect(app.get(Steady).runs).toBe(2));
    expect(app.get(StageRegistry).tree().children[0]?.status).toMatchObject({ restarts: 1 });
    await app.close();
  });

  it('stops the groups in their owners\u2019 destroy phase, without their supervisor restarting them', async () => {
    @Module({
      imports: [StageModule.forFeature({ supervisor: { strategy: 'one-for-all' } })],
      providers: [Steady, Ledger],
    })
    class StrictModule {}
    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false }), StrictModule],
    });
    const registry = app.get(StageRegistry);
    await vi.waitFor(() => expect(app.get(Steady).runs).toBe(1));
    const events: StageEvent[] = [];
    registry.events$.subscribe((event) => events.push(event));

    await app.close();

    expect(app.get(Steady).runs).toBe(1);
    const module = registry.tree().children[0];
    expect(isSupervisor(module?.status) && module.status.restarts).toBe(0);
    const stops = events.flatMap((event) =>
      'supervisor' in event && event.type === 'child-stopped'
        ? [`${event.child} ${event.reason}`]
        : [],
    );
    // Owners at one level of a module are destroyed in parallel; one owner's groups in reverse.
    expect([...stops].sort()).toEqual([
      'Ledger.post stop-child',
      'Ledger.reconcile stop-child',
      'Steady.run stop-child',
    ]);
    expect(stops.indexOf('Ledger.reconcile stop-child')).toBeLessThan(
      stops.indexOf('Ledger.post stop-child'),
    );
  });

  it('rejects a module that registers two different supervisor options', async () => {
    @Module({
      imports: [
        StageModule.forFeature({ supervisor: { strategy: 'one-for-all' } }),
        StageModule.forFeature({ supervisor: { strategy: 'rest-for-one' } }),
      ],
      providers: [Steady],
    })
    class TornModule {}
    const { app } = await boot({ imports: [StageModule.forRoot(), TornModule] }, { init: false });

    const init = app.init();
    await expect(init).rejects.toThrow(InvalidOptionError);
    await expect(init).rejects.toThrow(
      'Invalid option "supervisor" for StageModule.forFeature in TornModule',
    );
    await app.close();
  });
});
