import { stackOf } from '../errors/thrown-value-error.js';

/** Errors whose stack a Stage log line has printed already; weak, so it holds on to none. */
const printed = new WeakSet<Error>();

/**
 * The stack of `error` the first time a log line asks for it, `undefined` afterwards: one failure
 * is often told twice (in loop mode, a task that throws fails both its run, logged by its group,
 * and the delivery it held, logged by its channel), and its stack is printed once. Internal.
 */
export function stackOnce(error: Error): string | undefined {
  if (printed.has(error)) return undefined;
  printed.add(error);
  return stackOf(error);
}
