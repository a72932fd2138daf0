import { InvalidOptionError } from '../errors/invalid-option-error.js';

/**
 * Checks shared by every options reader: each throws `InvalidOptionError` naming `owner`, the
 * option's path and the value received.
 */

/** `value` as a plain record. @throws InvalidOptionError when it is not a non-array object. */
export function expectRecord(
  value: unknown,
  owner: string,
  option: string,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(owner, option, value, 'an object');
  }
  return value as Record<string, unknown>;
}

/**
 * Rejects the first key of `record` that is not `known`, so that a misspelt option fails loudly
 * instead of being ignored. `prefix` is the path of `record` itself, for example `backoff.`.
 */
export function rejectUnknownKeys(
  record: Record<string, unknown>,
  known: readonly string[],
  owner: string,
  prefix = '',
): void {
  const unknown = Object.keys(record).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    throw new InvalidOptionError(
      owner,
      `${prefix}${unknown}`,
      record[unknown],
      `no such option (known: ${known.join(', ')})`,
    );
  }
}
