import { Injectable } from '@nestjs/common';
import { type Channel, InjectChannel, Supervised, type TaskContext } from 'nestjs-stage';

import { CrashInjector } from '../crash/crash-injector.js';
import { AuditSessions } from './audit-sessions.js';
import { type AuditFigures, AuditTrail } from './audit-trail.js';
import type { Tick } from './tick.js';
import { TICKS_CHANNEL } from './ticks-channel.js';

/**
 * The pipeline's consumer: one task that opens an audit session, then takes the ticks from the
 * `ticks` channel in loop mode and audits them (see {@link AuditTrail}).
 *
 * - **Failure**: a crash (injected while the auditor holds a tick) fails the run: the channel
 *   takes the tick back and redelivers it, and the session closes. The group allows no restart of
 *   its own (`maxRestarts: 0`), so it gives up at once and its module's supervisor, `one-for-all`,
 *   restarts both the auditor and the ticker, which then share a new session.
 * - **Restart**: a new run opens a new session; ticks of the old one still in the channel are
 *   audited as carried over.
 * - **Shutdown**: the run's signal fires in this provider's destroy phase; `consume` then ends,
 *   and the tick the auditor held, if any, goes back to the channel uncounted.
 */
@Injectable()
export class AuditorService {
  /** The books, kept across runs: the figures are the application's, not one run's. */
  private readonly trail = new AuditTrail();

  constructor(
    @InjectChannel(TICKS_CHANNEL.name) private readonly ticks: Channel<Tick>,
    private readonly sessions: AuditSessions,
    private readonly crashes: CrashInjector,
  ) {}

  /** What was audited since the application started. */
  get figures(): AuditFigures {
    return this.trail.figures();
  }

  @Supervised({ name: 'auditor', intensity: { maxRestarts: 0, withinMs: 1_000 } })
  async audit(ctx: TaskContext): Promise<void> {
    const session = this.sessions.open();
    this.trail.begin(session.id);
    try {
      for await (const { body } of this.ticks.consume(ctx)) {
        this.crashes.maybeCrash('pipeline');
        this.trail.record(body);
      }
    } finally {
      session.close();
    }
  }
}
