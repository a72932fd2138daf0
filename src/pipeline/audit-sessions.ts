import { Injectable } from '@nestjs/common';

import { AuditSession } from './audit-session.js';

/**
 * Where the auditor opens its sessions and the ticker joins them. At most one session is open at
 * a time: the one of the auditor run alive now.
 *
 * - **Opening**: each auditor run opens a new session (closing any session left open) and hands
 *   it to the tickers waiting for one.
 * - **Joining**: a ticker run joins the open session, or waits for the next one to open. It never
 *   switches sessions by itself: when its session closes, only a restart makes it join the next.
 * - **Cancellation**: a join whose signal fires resolves with `undefined`.
 */
@Injectable()
export class AuditSessions {
  /** The session of the auditor run alive now, if any; the only one that may be open. */
  private current: AuditSession | undefined = undefined;
  /** Ticker runs waiting for a session to open; each is handed the next one, then removed. */
  private readonly joiners = new Set<(session: AuditSession) => void>();
  /** Sessions opened since the application started; only grows. */
  private opened = 0;

  /** How many sessions were opened: one per run of the auditor. */
  get count(): number {
    return this.opened;
  }

  /** Opens a new session, closing the previous one, and hands it to every waiting ticker. */
  open(): AuditSession {
    this.current?.close();
    this.opened += 1;
    const session = new AuditSession(this.opened);
    this.current = session;
    for (const hand of [...this.joiners]) hand(session);
    return session;
  }

  /**
   * The open session, or the next one to open.
   *
   * @returns The session, or `undefined` once `signal` fires first.
   */
  join(signal: AbortSignal): Promise<AuditSession | undefined> {
    if (this.current?.open) return Promise.resolve(this.current);
    if (signal.aborted) return Promise.resolve(undefined);

    return new Promise((resolve) => {
      const hand = (session: AuditSession | undefined): void => {
        this.joiners.delete(hand);
        signal.removeEventListener('abort', onAbort);
        resolve(session);
      };
      const onAbort = (): void => hand(undefined);
      this.joiners.add(hand);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
