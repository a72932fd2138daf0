import { isNativeError } from 'node:util/types';
import { StageError } from './stage-error.js';
import { describeValue } from './invalid-option-error.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_THROWN_VALUE: ThrownValueError;
  }
}

/**
 * Wraps a thrown value that is not an `Error` (a string, `undefined`, a plain object), so that
 * every reported cause is an `Error` with a stack. The original is kept in `value`.
 */
export class ThrownValueError extends StageError {
  readonly code = 'STAGE_THROWN_VALUE' as const;

  constructor(readonly value: unknown) {
    super(`A non-Error value was thrown: ${describeValue(value)}.`);
  }
}

/**
 * Returns `value` when it is an `Error` (of any realm: an error made in a `vm` context or a Jest
 * sandbox is kept as is), otherwise a {@link ThrownValueError} that keeps it. Never throws, even
 * for a value that throws when inspected (a revoked `Proxy` is wrapped).
 */
export function toError(value: unknown): Error {
  return isError(value) ? value : new ThrownValueError(value);
}

/**
 * `error.message` as a string, or a placeholder when reading it throws (a hostile getter or
 * `Proxy`). Never throws, so Stage can build its own messages from any user error.
 */
export function messageOf(error: Error): string {
  try {
    const message: unknown = error.message;
    return typeof message === 'string' ? message : String(message);
  } catch {
    return '(its message throws when read)';
  }
}

/** `error.stack`, or `undefined` when it is not a string or reading it throws. Never throws. */
export function stackOf(error: Error): string | undefined {
  try {
    const stack: unknown = error.stack;
    return typeof stack === 'string' ? stack : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `value` is an `Error`, of this realm or another (a `vm` context, a Jest sandbox). */
function isError(value: unknown): value is Error {
  try {
    return value instanceof Error || isNativeError(value);
  } catch {
    // `instanceof` runs a Proxy's `getPrototypeOf` trap, which may throw.
    return false;
  }
}
