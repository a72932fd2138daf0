import { setImmediate } from 'node:timers';
import { stackOf } from '../errors/thrown-value-error.js';

/**
 * Errors whose stack a Stage log line has printed in the current turn of the event loop; emptied
 * on the next turn, so that it holds on to none for longer.
 */
const printed = new Set<Error>();
/** Whether the emptying of `printed` is scheduled. */
let forgetting = false;

/**
 * The stack of `error` the first time a log line asks for it in the current turn of the event
 * loop, `undefined` for the rest of that turn: one failure is often told twice at once (in loop
 * mode, a task that throws fails both its run, logged by its group, and the delivery it held,
 * logged by its channel), and its stack is printed once. A later turn prints it again: an error
 * object that a client rejects every call with is logged in full whenever its log window opens.
 *
 * The emptying is an unref'd `setImmediate` from `node:timers`, which fake timers in tests do
 * not hold back and which never keeps the process alive. Internal.
 */
export function stackOnce(error: Error): string | undefined {
  if (printed.has(error)) return undefined;
  printed.add(error);
  if (!forgetting) {
    forgetting = true;
    setImmediate(forget).unref();
  }
  return stackOf(error);
}

function forget(): void {
  printed.clear();
  forgetting = false;
}
