import { setTimeout as sleep } from 'node:timers/promises';

import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/**
 * A client that an application closes in its own destroy phase and that counts the queries made,
 * or still running, once it is closed: a test that a group stops before what it uses expects
 * `usesAfterClose` to stay 0.
 */
@Injectable()
export class CountingClient implements OnModuleDestroy {
  closed = false;
  usesAfterClose = 0;

  async query(): Promise<void> {
    if (this.closed) this.usesAfterClose++;
    await sleep(1);
    if (this.closed) this.usesAfterClose++;
  }

  onModuleDestroy(): void {
    this.closed = true;
  }
}
