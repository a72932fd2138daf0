import { setTimeout as sleep } from 'node:timers/promises';

import {
  Controller,
  Global,
  Injectable,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { StageModule, StageRegistry, Supervised, type TaskContext } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { aborted, boot } from './support/boot.js';
import { CountingClient } from './support/counting-client.js';

@Module({ providers: [CountingClient], exports: [CountingClient] })
class ClientModule {}

describe('owners of groups, at the edges of their lifecycle', () => {
  it('opens the groups of a global owner bootstrapped before Stage once, however often init() is called', async () => {
    let starts = 0;
    @Injectable()
    class Poller {
      @Supervised({ size: 2 })
      async poll({ signal }: TaskContext): Promise<void> {
        starts++;
        await aborted(signal);
      }
    }
    @Global()
    @Module({ providers: [Poller], exports: [Poller] })
    class InfraModule {}
    const { app } = await boot({ imports: [InfraModule, StageModule.forRoot()] }, { init: false });

    await Promise.all([app.init(), app.init()]);
    await app.init();
    await sleep(20);

    expect(starts).toBe(2);
    expect(app.get(StageRegistry).status('Poller.poll')).toMatchObject({ running: 2, restarts: 0 });
    await app.close();
  });

  it('never runs the groups of a global owner bootstrapped before Stage whose own onApplicationBootstrap throws', async () => {
    let starts = 0;
    @Injectable()
    class Poller implements OnApplicationBootstrap {
      @Supervised()
      async poll({ signal }: TaskContext): Promise<void> {
        starts++;
        await aborted(signal);
      }

      onApplicationBootstrap(): void {
        throw new Error('not configured');
      }
    }
    @Global()
    @Module({ providers: [Poller], exports: [Poller] })
    class InfraModule {}
    const { app } = await boot({ imports: [InfraModule, StageModule.forRoot()] }, { init: false });

    await expect(app.init()).rejects.toThrow('not configured');
    await sleep(20);

    expect(starts).toBe(0);
    expect(app.get(StageRegistry).status('Poller.poll').state.kind).toBe('idle');
    await app.close();
  });

  it("stops a global module's controller's spawned group before a client it imports from a plain module is closed", async () => {
    @Controller()
    class StatusController {
      constructor(readonly client: CountingClient) {}
    }
    @Global()
    @Module({ imports: [ClientModule], controllers: [StatusController] })
    class InfraModule {}
    const { app } = await boot({ imports: [StageModule.forRoot(), InfraModule] });
    const owner = app.get(StatusController);
    app.get(StageRegistry).spawn({
      name: 'status-refresh',
      owner,
      task: async ({ signal }) => {
        while (!signal.aborted) await owner.client.query();
      },
    });
    await sleep(10);

    await app.close();

    expect(app.get(CountingClient).usesAfterClose).toBe(0);
  });
});
