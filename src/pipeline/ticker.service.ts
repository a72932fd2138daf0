import { Inject, Injectable } from '@nestjs/common';
import { type Channel, InjectChannel, Supervised, type TaskContext } from 'nestjs-stage';

import { delay } from '../time/delay.js';
import { AuditSessions } from './audit-sessions.js';
import { PIPELINE_OPTIONS, type PipelineOptions } from './pipeline-options.js';
import type { Tick } from './tick.js';
import { TICKS_CHANNEL } from './ticks-channel.js';

/**
 * The pipeline's producer: one task that joins the auditor's session, then sends a tick numbered
 * within it to the `ticks` channel every `tickIntervalMs`.
 *
 * - **Its session**: the ticker joins a session once, when its run starts. When that session
 *   closes (the auditor that opened it crashed), the ticker can number nothing more and waits for
 *   its stop: it must not end by itself, since a supervisor leaves an ended child ended. Under a
 *   `one-for-one` supervisor it would wait forever; under `one-for-all` the auditor's crash
 *   restarts it at once, and the new run joins the new auditor's session.
 * - **Backpressure**: a send to a full channel waits; the tick is counted once accepted.
 * - **Shutdown**: the run's signal fires in this provider's destroy phase (or on a restart); the
 *   wait, the send or the pause ends at once.
 */
@Injectable()
export class TickerService {
  /** Ticks the channel accepted, over all runs; only grows. */
  private accepted = 0;

  constructor(
    @InjectChannel(TICKS_CHANNEL.name) private readonly ticks: Channel<Tick>,
    private readonly sessions: AuditSessions,
    @Inject(PIPELINE_OPTIONS) private readonly options: PipelineOptions,
  ) {}

  /** How many ticks the channel accepted since the application started. */
  get sent(): number {
    return this.accepted;
  }

  @Supervised({ name: 'ticker' })
  async tick({ signal }: TaskContext): Promise<void> {
    const session = await this.sessions.join(signal);
    if (session === undefined) return;

    for (let seq = session.next(); seq !== undefined; seq = session.next()) {
      await this.ticks.send({ session: session.id, seq }, { signal });
      this.accepted += 1;
      await delay(this.options.tickIntervalMs, signal);
    }
    await stopped(signal);
  }
}

/** Resolves when `signal` fires (at once if it has). */
function stopped(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
