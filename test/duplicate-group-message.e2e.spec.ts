import { Injectable, Module } from '@nestjs/common';
import { DuplicateGroupError, StageModule, Supervised } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { boot } from './support/boot.js';

describe('DuplicateGroupError', () => {
  it('says that one module provides the class under two tokens, and how to alias one', async () => {
    @Injectable()
    class Worker {
      @Supervised()
      async run(): Promise<void> {}
    }
    @Module({ providers: [Worker, { provide: 'SECOND_WORKER', useClass: Worker }] })
    class JobsModule {}
    const { app } = await boot({ imports: [StageModule.forRoot(), JobsModule] }, { init: false });

    const error = await app.init().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    await app.close();

    expect(error).toBeInstanceOf(DuplicateGroupError);
    expect(String(error)).toContain(
      'Worker@run would run twice: JobsModule provides its class under two tokens, and each ' +
        'makes an instance. Provide the class once and alias the other token with useExisting.',
    );
  });
});
