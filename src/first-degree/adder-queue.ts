import { Injectable, type OnModuleDestroy } from '@nestjs/common';

import type { Operands } from '../adder/addition.js';
import type { AddJob, AskOutcome } from './add-job.js';
import { AdderQueueClosedError } from './adder-queue-closed-error.js';

/** Options of {@link AdderQueue.ask}. */
export interface AskOptions {
  /** How long to wait for the reply, in ms, before giving up on this job. */
  readonly timeoutMs: number;
  /** Gives up on the job at once, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** How a job's wait ends: an outcome for the caller, or an error it rejects with. */
type JobEnd = AskOutcome | { readonly kind: 'failed'; readonly error: unknown };

/** A job the queue tracks until its caller stops waiting. */
class QueuedJob implements AddJob {
  /** `waiting` until the first of: a reply, the timeout, an abort, the queue closing. */
  private state: 'waiting' | 'settled' = 'waiting';

  constructor(
    readonly a: number,
    readonly b: number,
    /** Called once, with how the wait ended. */
    private readonly onSettle: (end: JobEnd) => void,
  ) {}

  get wanted(): boolean {
    return this.state === 'waiting';
  }

  reply(sum: number): void {
    this.settle({ kind: 'answered', sum });
  }

  /** Ends the caller's wait; only the first call counts. */
  settle(end: JobEnd): void {
    if (this.state === 'settled') return;

    this.state = 'settled';
    this.onSettle(end);
  }
}

/** A worker waiting in {@link AdderQueue.take}. */
interface Taker {
  readonly hand: (job: AddJob | undefined) => void;
}

/**
 * The first degree's mailbox: a small in-memory queue owned by the application, not by Stage.
 * This is the queue a team writes by hand before adopting channels, with its classic weakness:
 * a job taken by a worker that then crashes is gone, and only the caller's timeout notices.
 *
 * - **Asking**: `ask` queues a job and waits for its reply up to a timeout. A job whose caller
 *   stopped waiting (timed out, aborted) is skipped by workers if still queued, and its late reply
 *   is ignored if a worker already holds it. Retrying is the caller's business.
 * - **Taking**: `take` hands jobs to workers in order, waiting for one if none is queued; it
 *   returns `undefined` when the worker's signal fires or the queue closes.
 * - **Shutdown**: `close()` (called in this provider's `onModuleDestroy`, after the workers that
 *   depend on it have stopped) rejects every waiting caller with `AdderQueueClosedError` and wakes
 *   every waiting worker; later asks reject at once.
 */
@Injectable()
export class AdderQueue implements OnModuleDestroy {
  /** Jobs waiting for a worker, oldest first. May hold jobs nobody wants any more. */
  private readonly jobs: QueuedJob[] = [];
  /** Workers waiting for a job, first come first served; non-empty only while `jobs` is empty. */
  private readonly takers: Taker[] = [];
  /** Jobs whose callers wait, queued or held by a worker; emptied by `close()`. */
  private readonly waiting = new Set<QueuedJob>();
  /** Moves once, from open to closed. */
  private state: 'open' | 'closed' = 'open';

  /** How many jobs are queued, counting those nobody wants any more. */
  get size(): number {
    return this.jobs.length;
  }

  /**
   * Queues `operands` as a job and waits for its sum.
   *
   * @returns `answered` with the sum, or `timed-out` when no reply came within `timeoutMs`.
   * @throws (rejects) `AdderQueueClosedError` when the queue is or becomes closed; the signal's
   * reason when it fires first.
   */
  ask(operands: Operands, { timeoutMs, signal }: AskOptions): Promise<AskOutcome> {
    if (this.state === 'closed') return Promise.reject(new AdderQueueClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason);

    return new Promise<AskOutcome>((resolve, reject) => {
      const job = new QueuedJob(operands.a, operands.b, (end) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiting.delete(job);
        if (end.kind === 'failed') reject(end.error);
        else resolve(end);
      });
      const onAbort = (): void => job.settle({ kind: 'failed', error: signal?.reason });
      const timer = setTimeout(() => job.settle({ kind: 'timed-out' }), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(job);
      this.put(job);
    });
  }

  /**
   * Takes the oldest job someone still waits for, waiting for one if need be.
   *
   * @returns The job, or `undefined` once `signal` fires or the queue is closed.
   */
  take(signal: AbortSignal): Promise<AddJob | undefined> {
    let job = this.jobs.shift();
    while (job !== undefined && !job.wanted) job = this.jobs.shift();
    if (job !== undefined) return Promise.resolve(job);
    if (this.state === 'closed' || signal.aborted) return Promise.resolve(undefined);

    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.takers.splice(this.takers.indexOf(taker), 1);
        resolve(undefined);
      };
      const taker: Taker = {
        hand: (handed) => {
          signal.removeEventListener('abort', onAbort);
          resolve(handed);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.takers.push(taker);
    });
  }

  /** Closes the queue; see the class's "Shutdown". Idempotent. */
  close(): void {
    if (this.state === 'closed') return;

    this.state = 'closed';
    for (const job of [...this.waiting]) {
      job.settle({ kind: 'failed', error: new AdderQueueClosedError() });
    }
    this.jobs.length = 0;
    for (const taker of this.takers.splice(0)) taker.hand(undefined);
  }

  onModuleDestroy(): void {
    this.close();
  }

  private put(job: QueuedJob): void {
    const taker = this.takers.shift();
    if (taker === undefined) this.jobs.push(job);
    else taker.hand(job);
  }
}
