import type { INestApplicationContext } from '@nestjs/common';
import { type ChannelStats, StageRegistry } from 'nestjs-stage';

import { CrashInjector } from '../../crash/crash-injector.js';
import { ADDER_CHANNEL } from '../../second-degree/adder-channel.js';
import { ChannelAdderController } from '../../second-degree/channel-adder.controller.js';

/** What one replica counted for the second degree: its own figures, in its own process. */
export interface ReplicaCounters {
  /** HTTP requests this replica put into the channel: one per `GET /v2/add` it answered. */
  readonly httpRequests: number;
  /** Crashes injected into this replica's handlers. */
  readonly crashes: number;
  /** Restarts of this replica's `channel-adder` group (0: a crash fails one delivery only). */
  readonly restarts: number;
  /** This replica's ledger of the shared `adder` channel (see `ChannelStats`). */
  readonly ledger: ChannelStats;
}

/**
 * Reads a replica's counters from its running (or closed) application.
 *
 * @throws UnknownGroupError or UnknownChannelError (from the registry) when the application has
 * no second degree.
 */
export function readReplicaCounters(app: INestApplicationContext): ReplicaCounters {
  const registry = app.get(StageRegistry);
  return {
    httpRequests: app.get(ChannelAdderController).channelRequests,
    crashes: app.get(CrashInjector).crashes('second-degree'),
    restarts: registry.status('channel-adder').restarts,
    ledger: registry.channel(ADDER_CHANNEL.name).stats,
  };
}
