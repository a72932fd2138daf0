import type { Tick } from './tick.js';

/** What the auditor has audited since the application started. */
export interface AuditFigures {
  /** Ticks audited, each once. */
  readonly audited: number;
  /**
   * Ticks of an earlier session, audited by a later auditor run: they were in the channel, or in
   * the hands of the auditor that crashed, when the pipeline restarted. Included in `audited`.
   */
  readonly carriedOver: number;
  /** Ticks of the current session that did not come next in sequence; 0 when all is well. */
  readonly sequenceBreaks: number;
}

/**
 * The auditor's books: counts every tick audited and checks that the ticks of the session being
 * audited arrive complete and in order (1, 2, 3…). That holds because one ticker sends them in
 * order and one auditor takes them in order, and because any failure of the auditor ends its
 * session. Ticks of an earlier session are audited as carried over, without a sequence check: a
 * restart may have redelivered them in any order.
 */
export class AuditTrail {
  /** Ticks audited; only grows. */
  private audited = 0;
  /** Ticks of an earlier session audited; only grows. */
  private carriedOver = 0;
  /** Ticks out of sequence; only grows. */
  private sequenceBreaks = 0;
  /** The session being audited and the number expected next in it; unset before `begin`. */
  private expected: { readonly session: number; readonly seq: number } | undefined = undefined;

  /** Starts auditing `session`: its first tick must be number 1. */
  begin(session: number): void {
    this.expected = { session, seq: 1 };
  }

  /** Audits one tick. */
  record(tick: Tick): void {
    this.audited += 1;
    const expected = this.expected;
    if (expected === undefined || tick.session < expected.session) {
      this.carriedOver += 1;
      return;
    }
    if (tick.session !== expected.session || tick.seq !== expected.seq) this.sequenceBreaks += 1;
    this.expected = { session: tick.session, seq: tick.seq + 1 };
  }

  /** The counts so far. */
  figures(): AuditFigures {
    const { audited, carriedOver, sequenceBreaks } = this;
    return { audited, carriedOver, sequenceBreaks };
  }
}
