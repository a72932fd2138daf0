/**
 * A shallow copy of `value` without the keys whose value is `undefined`, so that an option set
 * to `undefined` reads as "not given" everywhere, whatever check the reader uses.
 */
export function withoutUndefined<TObject extends object>(value: TObject): TObject {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as TObject;
}
