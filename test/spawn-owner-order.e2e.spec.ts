import { Global, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { StageModule, StageRegistry } from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { boot } from './support/boot.js';
import { CountingClient } from './support/counting-client.js';

/** Spawns a group owned by itself, as SpawnOptions.owner suggests, that uses the client. */
@Injectable()
class Spawner implements OnModuleInit {
  queries = 0;

  constructor(
    private readonly registry: StageRegistry,
    private readonly client: CountingClient,
  ) {}

  onModuleInit(): void {
    this.registry.spawn({
      name: 'spawned-reader',
      owner: this,
      task: async ({ signal }) => {
        while (!signal.aborted) {
          await this.client.query();
          this.queries++;
        }
      },
    });
  }
}

describe('StageRegistry.spawn with an owner', () => {
  it("stops a global owner's spawned group before a client it imports from a plain module is closed", async () => {
    // Nest destroys a global module after the modules it imports: the owner's own destroy phase
    // comes too late, as it does for a @Supervised method of the same owner.
    @Module({ providers: [CountingClient], exports: [CountingClient] })
    class ClientModule {}
    @Global()
    @Module({ imports: [ClientModule], providers: [Spawner] })
    class InfraModule {}

    const { app } = await boot({ imports: [StageModule.forRoot(), InfraModule] });
    await vi.waitFor(() => expect(app.get(Spawner).queries).toBeGreaterThan(4));
    const client = app.get(CountingClient);

    await app.close();

    expect(client.usesAfterClose).toBe(0);
  });
});
