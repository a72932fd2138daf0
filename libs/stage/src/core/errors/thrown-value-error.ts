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

/** Returns `value` when it is an `Error`, otherwise a {@link ThrownValueError} that keeps it. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new ThrownValueError(value);
}
