import { Injectable } from '@nestjs/common';
import { Supervised, type TaskContext } from 'nestjs-stage';

import { CrashInjector } from '../crash/crash-injector.js';
import { AdderQueue } from './adder-queue.js';

/**
 * The first degree's workers: four copies of one loop that take a job from the application's
 * own {@link AdderQueue}, add, and reply.
 *
 * - **Failure**: a crash (injected while the worker holds a job) fails the run; Stage logs it and
 *   restarts the run after its backoff. The job it held is lost: the queue is not Stage's, so
 *   nothing gives it back, and only the caller's timeout notices (see `QueueAdderController`).
 * - **Shutdown**: the run's signal fires in this provider's destroy phase; `take` then returns
 *   `undefined` and the loop ends.
 */
@Injectable()
export class QueueAdderService {
  constructor(
    private readonly queue: AdderQueue,
    private readonly crashes: CrashInjector,
  ) {}

  @Supervised({ name: 'queue-adder', size: 4 })
  async work({ signal }: TaskContext): Promise<void> {
    for (;;) {
      const job = await this.queue.take(signal);
      if (job === undefined) return;

      this.crashes.maybeCrash('first-degree');
      job.reply(job.a + job.b);
    }
  }
}
