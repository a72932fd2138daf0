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
 * The options found under some known options, by the name of the option that holds them: for
 * the root options of the Nest module, `{ groups: ['restart', 'backoff', ...] }`. It lets an
 * unknown name that belongs one level down be pointed there.
 */
export type NestedOptions = Readonly<Record<string, readonly string[]>>;

/**
 * Rejects the first key of `record` that is not `known`, so that a misspelt option fails loudly
 * instead of being ignored. `prefix` is the path of `record` itself, for example `backoff.`;
 * `nested` says which known options hold options of their own (see {@link knownOptions}).
 */
export function rejectUnknownKeys(
  record: Record<string, unknown>,
  known: readonly string[],
  owner: string,
  prefix = '',
  nested: NestedOptions = {},
): void {
  const unknown = Object.keys(record).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    throw new InvalidOptionError(
      owner,
      `${prefix}${unknown}`,
      record[unknown],
      knownOptions(unknown, known, nested),
    );
  }
}

/**
 * `value` when it is one of `allowed`, `fallback` when it is `undefined`.
 *
 * @throws InvalidOptionError naming `owner` and `option`, listing the allowed values quoted, with
 * the closest one when `value` looks like a typo of it.
 */
export function expectOneOf<TValue extends string>(
  value: unknown,
  allowed: readonly TValue[],
  fallback: TValue,
  owner: string,
  option: string,
): TValue {
  if (value === undefined) return fallback;
  if (allowed.includes(value as TValue)) return value as TValue;
  const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
  const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
  const expected = `one of ${allowed.map((each) => `"${each}"`).join(', ')}${hint}`;
  throw new InvalidOptionError(owner, option, value, expected);
}

/**
 * What an unknown option name should have been, for `InvalidOptionError`'s "expected": every
 * known name, then a guess. The guess is the option one level down when the given name is one of
 * the options `nested` lists (`shutdownTimeoutMs` given where `groups.shutdownTimeoutMs` is
 * meant; the first known option in order that lists it wins), else the closest known name when
 * the given one looks like a typo of it.
 */
export function knownOptions(
  given: string,
  known: readonly string[],
  nested: NestedOptions = {},
): string {
  const parent = known.find((name) => nested[name]?.includes(given) === true);
  const guess = parent === undefined ? closest(given, known) : `${parent}.${given}`;
  const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
  return `one of the options ${known.join(', ')}${hint}`;
}

/** The known name within two edits of `given` (case aside), if there is one. */
function closest(given: string, known: readonly string[]): string | undefined {
  let best: { readonly name: string; readonly distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(given.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { name, distance };
  }
  return best?.name;
}

/** The Levenshtein distance between `a` and `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
