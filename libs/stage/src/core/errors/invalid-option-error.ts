import { StageError } from './stage-error.js';

declare module './stage-error.js' {
  interface StageErrorCodes {
    STAGE_INVALID_OPTION: InvalidOptionError;
  }
}

/**
 * An option had a value Stage cannot use. Thrown once, when the options are read (at
 * construction or at bootstrap), never later at run time.
 */
export class InvalidOptionError extends StageError {
  readonly code = 'STAGE_INVALID_OPTION' as const;

  constructor(
    /** Where the option was given, for example `group "mailer"` or `MailService@run`. */
    readonly owner: string,
    /** The option's path, for example `backoff.maxMs`. */
    readonly option: string,
    /** The value received. */
    readonly received: unknown,
    /** What a valid value looks like, for example `an integer >= 1`. */
    readonly expected: string,
  ) {
    super(
      `Invalid option "${option}" for ${owner}: expected ${expected}, received ${describeValue(received)}.`,
    );
  }
}

/**
 * A short, safe rendering of any value for an error message. Never throws, even for a value that
 * throws when inspected (a revoked `Proxy`, a throwing getter or `toJSON`).
 */
export function describeValue(value: unknown): string {
  try {
    return render(value);
  } catch {
    return 'a value that throws when inspected';
  }
}

function render(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
