/**
 * One audit session: opened by a run of the auditor, joined by the ticker, which numbers its
 * ticks within it. A session is only valid with the auditor run that opened it: it closes when
 * that run ends, however it ends, and a closed session numbers nothing more. This is the state
 * the ticker holds that ties it to one auditor, and why the pipeline restarts both together.
 */
export class AuditSession {
  /** `open` until the auditor run that opened it ends; never reopens. */
  private state: 'open' | 'closed' = 'open';
  /** The number given to the last tick of this session; 0 before the first. */
  private lastSeq = 0;

  constructor(
    /** The session's number, from 1, in the order sessions were opened. */
    readonly id: number,
  ) {}

  /** Whether the auditor run that opened the session still runs. */
  get open(): boolean {
    return this.state === 'open';
  }

  /** The next tick's number (1, 2, 3…), or `undefined` once the session is closed. */
  next(): number | undefined {
    if (this.state === 'closed') return undefined;

    this.lastSeq += 1;
    return this.lastSeq;
  }

  /** Closes the session; called when the auditor run that opened it ends. Idempotent. */
  close(): void {
    this.state = 'closed';
  }
}
