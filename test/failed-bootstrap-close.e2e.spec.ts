import { Global, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { type Channel, ChannelClosedError, getChannelToken, StageModule } from 'nestjs-stage';
import { MemoryChannelStorage } from 'nestjs-stage/core';
import { describe, expect, it } from 'vitest';

import { boot } from './support/boot.js';

/** A storage that counts its closes, as a storage holding connections would close them. */
class CountingStorage extends MemoryChannelStorage<unknown> {
  closes = 0;

  override close(): void {
    this.closes++;
    super.close();
  }
}

@Injectable()
class Migrations implements OnModuleInit {
  onModuleInit(): void {
    throw new Error('the database is not reachable');
  }
}

// A global module registered before Stage's core initializes before Stage discovers anything.
@Global()
@Module({ providers: [Migrations] })
class DatabaseModule {}

describe('a bootstrap that fails after the channels were built', () => {
  it('returns what the channels hold to their senders, and closes their storage, when the application closes', async () => {
    const storage = new CountingStorage();
    const { app } = await boot(
      {
        imports: [
          DatabaseModule,
          StageModule.forRoot({ logging: false }),
          StageModule.forFeature({ channels: [{ name: 'jobs', storage }] }),
        ],
      },
      { init: false },
    );
    const jobs = app.get<Channel<number, number>>(getChannelToken('jobs'), { strict: false });
    const reply = jobs.request(1).catch((error: unknown) => error);
    await expect(app.init()).rejects.toThrow('the database is not reachable');

    await app.close();

    const settled = await Promise.race([reply, new Promise((r) => setTimeout(r, 200, 'pending'))]);
    expect(settled).toBeInstanceOf(ChannelClosedError);
    expect(jobs.state.kind).toBe('closed');
    expect(storage.closes).toBe(1);
  });
});
