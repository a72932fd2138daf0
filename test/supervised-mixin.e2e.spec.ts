import { setTimeout as sleep } from 'node:timers/promises';

import { Injectable } from '@nestjs/common';
import { StageModule, StageRegistry, Supervised, type TaskContext } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { aborted, boot } from './support/boot.js';

/** The mixin helper of the TypeScript handbook: copies each method's descriptor onto the target. */
function applyMixins(target: { prototype: object }, mixins: { prototype: object }[]): void {
  for (const mixin of mixins) {
    for (const name of Object.getOwnPropertyNames(mixin.prototype)) {
      if (name === 'constructor') continue;
      Object.defineProperty(
        target.prototype,
        name,
        Object.getOwnPropertyDescriptor(mixin.prototype, name) ?? Object.create(null),
      );
    }
  }
}

describe('@Supervised on a mixin', () => {
  it('keeps a supervised method supervised once the handbook applyMixins copies it onto a provider', async () => {
    let runs = 0;
    class Polling {
      @Supervised()
      async poll({ signal }: TaskContext): Promise<void> {
        runs++;
        await aborted(signal);
      }
    }
    @Injectable()
    class Inventory {}
    applyMixins(Inventory, [Polling]);

    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Inventory] });
    await sleep(20);

    expect(app.get(StageRegistry).has('Inventory.poll')).toBe(true);
    expect(runs).toBe(1);
    await app.close();
  });
});
