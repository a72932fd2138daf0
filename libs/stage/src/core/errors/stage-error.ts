/**
 * Maps each stable error code to the class that carries it. Each error file adds its own entry
 * through declaration merging, so that {@link isStageError} narrows by code without this file
 * knowing every error.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface StageErrorCodes {}

/** A stable, machine-readable code of a {@link StageError}. */
export type StageErrorCode = keyof StageErrorCodes;

/**
 * The base of every error Stage throws or reports.
 *
 * Each failure has its own subclass with a stable `code`; tell them apart with
 * {@link isStageError}, never by message text, which may be reworded.
 */
export abstract class StageError extends Error {
  /** The stable code of this failure, for example `STAGE_INVALID_OPTION`. */
  abstract readonly code: StageErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Whether `error` is a Stage error and, when `code` is given, one with that code.
 *
 * @example
 * if (isStageError(error, 'STAGE_CHANNEL_CLOSED')) retryLater();
 */
export function isStageError<TCode extends StageErrorCode>(
  error: unknown,
  code: TCode,
): error is StageErrorCodes[TCode];
export function isStageError(error: unknown): error is StageError;
export function isStageError(error: unknown, code?: StageErrorCode): boolean {
  return error instanceof StageError && (code === undefined || error.code === code);
}
