import type { Operands } from '../adder/addition.js';

/**
 * A request in the first degree's queue: two operands and a way to reply. A worker takes it,
 * adds, and replies; if the worker crashes in between, nobody replies and the job is lost.
 */
export interface AddJob extends Operands {
  /** Whether the caller still waits: `false` once it was answered, timed out or aborted. */
  readonly wanted: boolean;
  /** Gives the caller its sum. Does nothing once the caller stopped waiting. */
  reply(sum: number): void;
}

/** How one wait for a reply ended, when it did not fail. */
export type AskOutcome =
  | { readonly kind: 'answered'; readonly sum: number }
  /** No reply within the timeout: the job was lost with a crashed worker, or is still queued. */
  | { readonly kind: 'timed-out' };
