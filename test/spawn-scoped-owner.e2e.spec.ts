import { Injectable, Scope } from '@nestjs/common';
import { InvalidOptionError, StageModule, StageRegistry } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { boot } from './support/boot.js';

@Injectable({ scope: Scope.REQUEST })
class PerRequestReport {}

describe('StageRegistry.spawn with an owner that Nest runs no lifecycle hook of', () => {
  it.each([
    [
      'a request-scoped instance',
      (app: { resolve: (type: never) => Promise<unknown> }) =>
        app.resolve(PerRequestReport as never),
    ],
    ['a plain object', async () => ({ name: 'report' })],
  ])('refuses %s, naming the option', async (_, ownerOf) => {
    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false })],
      providers: [PerRequestReport],
    });
    const owner = (await ownerOf(app as never)) as object;
    const registry = app.get(StageRegistry);

    const spawn = () => registry.spawn({ name: 'report', owner, task: async () => undefined });

    expect(spawn).toThrow(InvalidOptionError);
    expect(spawn).toThrow(
      'Invalid option "owner" for StageRegistry.spawn: expected a singleton provider or ' +
        'controller instance of this application',
    );
    expect(registry.has('report')).toBe(false);
    await app.close();
  });
});
