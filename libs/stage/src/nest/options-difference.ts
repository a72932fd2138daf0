/** Where two option values first differ. */
export interface OptionsDifference {
  /** The option path, for example `groups.backoff.maxMs`; empty for the values themselves. */
  readonly path: string;
  readonly first: unknown;
  readonly second: unknown;
}

/**
 * The first place, in key order, where `first` and `second` differ, or `undefined` when they are
 * equal. Plain objects and arrays compare structurally; anything else (functions, class
 * instances) by identity, so two options objects that pass the same callback are equal.
 */
export function optionsDifference(
  first: unknown,
  second: unknown,
  path = '',
): OptionsDifference | undefined {
  if (Object.is(first, second)) return undefined;
  if (
    !isStructural(first) ||
    !isStructural(second) ||
    Array.isArray(first) !== Array.isArray(second)
  ) {
    return { path, first, second };
  }

  const keys = [...new Set([...Object.keys(first), ...Object.keys(second)])].sort();
  for (const key of keys) {
    const difference = optionsDifference(
      (first as Record<string, unknown>)[key],
      (second as Record<string, unknown>)[key],
      path === '' ? key : `${path}.${key}`,
    );
    if (difference !== undefined) return difference;
  }
  return undefined;
}

function isStructural(value: unknown): value is object {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
