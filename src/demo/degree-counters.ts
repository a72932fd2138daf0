import type { INestApplicationContext } from '@nestjs/common';
import { type ChannelStats, StageRegistry } from 'nestjs-stage';

import { CrashInjector } from '../crash/crash-injector.js';
import { QueueAdderController } from '../first-degree/queue-adder.controller.js';
import { ADDER_CHANNEL } from '../second-degree/adder-channel.js';
import type { Degree } from './degree.js';

/** What the application counted for one degree, read from its providers. */
export interface DegreeCounters {
  /** Crashes injected into the degree's workers. */
  readonly crashes: number;
  /** Restarts of the degree's group, from `StageRegistry`. */
  readonly restarts: number;
  /** Requests the HTTP handler sent to the workers again, beyond one per HTTP request. */
  readonly handlerRetries: number;
  /** The channel's ledger, from `StageRegistry`; `undefined` where there is no channel. */
  readonly ledger: ChannelStats | undefined;
}

/**
 * Reads the counters of `degree` from the running application: the crash injector, the
 * registry's status of the degree's group and, in the second degree, its channel's ledger.
 *
 * Handler retries are counted by the first degree's controller. The second degree's controller
 * has no retry, and the ledger proves it: each of the `requestsSent` HTTP requests put one
 * message into the channel, so any message accepted beyond those (replays aside) would be a retry.
 *
 * @throws UnknownGroupError or UnknownChannelError (from the registry) when the degree is not in
 * the application.
 */
export function readCounters(
  app: INestApplicationContext,
  degree: Degree,
  requestsSent: number,
): DegreeCounters {
  const crashes = app.get(CrashInjector);
  const registry = app.get(StageRegistry);
  switch (degree) {
    case 1:
      return {
        crashes: crashes.crashes('first-degree'),
        restarts: registry.status('queue-adder').restarts,
        handlerRetries: app.get(QueueAdderController).handlerRetries,
        ledger: undefined,
      };
    case 2: {
      const ledger = registry.channel(ADDER_CHANNEL.name).stats;
      return {
        crashes: crashes.crashes('second-degree'),
        restarts: registry.status('channel-adder').restarts,
        handlerRetries: Math.max(0, ledger.accepted - ledger.replayed - requestsSent),
        ledger,
      };
    }
  }
}
