/**
 * One item of the pipeline: the `seq`-th tick the ticker produced in audit session `session`.
 * Sent through the `ticks` channel; treat it as immutable, since a redelivery hands the same
 * object to the next auditor.
 */
export interface Tick {
  /** The audit session the tick was numbered in. */
  readonly session: number;
  /** Its number within that session, from 1. */
  readonly seq: number;
}
