import type { INestApplicationContext } from '@nestjs/common';
import { StageRegistry } from 'nestjs-stage';

import { TICKS_CHANNEL } from '../pipeline/ticks-channel.js';
import { delay } from '../time/delay.js';

/** How the pipeline's wind-down ended. */
export interface WindDown {
  /** Whether the auditor audited every tick left in the channel in time. */
  readonly drained: boolean;
  /** How long the wind-down took, in ms. */
  readonly ms: number;
}

/** How often the wind-down looks at the channel's ledger, in ms. */
const POLL_MS = 5;

/**
 * Stops the ticker on purpose (`StageRegistry.stop`), then waits until the auditor has audited
 * every tick left in the channel (nothing buffered, in flight or waiting for a redelivery), at
 * most `timeoutMs`. Crashes go on meanwhile: the supervisor still restarts the auditor, but not
 * the ticker, since a child stopped on purpose stays stopped.
 *
 * The demo winds the pipeline down before it counts, so that every tick sent has had its chance
 * to be audited: `app.close()` alone would stop the auditor with ticks still buffered, which the
 * channel would then dead-letter (reported, never lost, but not audited either).
 */
export async function windDownPipeline(
  app: INestApplicationContext,
  { timeoutMs }: { readonly timeoutMs: number },
): Promise<WindDown> {
  const registry = app.get(StageRegistry);
  const started = Date.now();
  await registry.stop('ticker');

  const pending = (): number => {
    const { buffered, inFlight, delayed } = registry.channel(TICKS_CHANNEL.name).stats;
    return buffered + inFlight + delayed;
  };
  const never = new AbortController().signal;
  while (pending() > 0 && Date.now() - started < timeoutMs) await delay(POLL_MS, never);
  return { drained: pending() === 0, ms: Date.now() - started };
}
