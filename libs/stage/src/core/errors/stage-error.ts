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

  /**
   * What `JSON.stringify` writes for the error, for a health endpoint or a structured log: its
   * `name`, `code` and `message` (an `Error`'s message is not enumerable, so it would otherwise be
   * left out), and its cause's name and message when it has an `Error` as cause. Never throws.
   */
  toJSON(): StageErrorJson {
    const json: StageErrorJson = { name: this.name, code: this.code, message: this.message };
    try {
      const cause: unknown = this.cause;
      if (cause instanceof StageError) return { ...json, cause: cause.toJSON() };
      if (cause instanceof Error) {
        return { ...json, cause: { name: String(cause.name), message: String(cause.message) } };
      }
    } catch {
      // A cause whose name or message throws when read (a hostile getter, a Proxy) is left out.
    }
    return json;
  }
}

/** How a {@link StageError} is written by `JSON.stringify` (see `StageError.toJSON`). */
export interface StageErrorJson {
  readonly name: string;
  readonly code: StageErrorCode;
  readonly message: string;
  readonly cause?: StageErrorJson | { readonly name: string; readonly message: string };
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
