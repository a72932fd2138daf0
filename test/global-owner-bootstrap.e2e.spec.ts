import { Global, Injectable, Module } from '@nestjs/common';
import { StageModule, StageRegistry, Supervised, type TaskContext } from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

@Injectable()
class Poller {
  runs = 0;

  @Supervised()
  async poll({ signal }: TaskContext): Promise<void> {
    this.runs++;
    await aborted(signal);
  }
}

// Nest bootstraps global modules in the order it registered them, Stage's own core module among
// them: a provider of a global module set up first bootstraps before Stage does, and its groups
// must still run once Stage has.
describe('a supervised provider of a global module', () => {
  it('runs when its module is imported before StageModule', async () => {
    @Global()
    @Module({ providers: [Poller], exports: [Poller] })
    class InfraModule {}

    const { app } = await boot({ imports: [InfraModule, StageModule.forRoot()] });

    await vi.waitFor(() => expect(app.get(Poller).runs).toBe(1), { timeout: 1_000 });
    expect(app.get(StageRegistry).status('Poller.poll').state.kind).toBe('running');
    await app.close();
  });

  it('runs when its global module imports StageModule itself', async () => {
    @Global()
    @Module({ imports: [StageModule.forRoot()], providers: [Poller], exports: [Poller] })
    class InfraModule {}

    const { app } = await boot({ imports: [InfraModule] });

    await vi.waitFor(() => expect(app.get(Poller).runs).toBe(1), { timeout: 1_000 });
    await app.close();
  });

  it('runs once started by hand through the registry', async () => {
    @Global()
    @Module({ providers: [Poller], exports: [Poller] })
    class InfraModule {}
    const { app } = await boot({ imports: [InfraModule, StageModule.forRoot()] });

    app.get(StageRegistry).start('Poller.poll');

    await vi.waitFor(() => expect(app.get(Poller).runs).toBe(1), { timeout: 1_000 });
    await app.close();
  });
});
