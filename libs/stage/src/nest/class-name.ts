/**
 * The name of the class whose prototype is `prototype`, as Stage's names and errors show it: the
 * instance's own class, not a base class; `AnonymousClass` when it has none. Internal.
 */
export function classNameOf(prototype: object): string {
  const constructor: unknown = (prototype as { constructor?: unknown }).constructor;
  return typeof constructor === 'function' && constructor.name !== ''
    ? constructor.name
    : 'AnonymousClass';
}
