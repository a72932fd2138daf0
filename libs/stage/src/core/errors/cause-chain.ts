/** The longest chain {@link causeChain} follows, so that a cyclic or absurd chain still ends. */
const MAX_DEPTH = 32;

/**
 * `error` followed by its `cause`, the cause's cause, and so on, as far as each is an `Error`.
 *
 * A supervisor that gave up carries the error of the child that went over its limit, which may
 * itself be a give-up: the chain walks the tree down to the task failure that started it.
 * Stops at a cycle and after 32 links.
 *
 * @example
 * const root = causeChain(error).at(-1); // the deepest known cause
 */
export function causeChain(error: Error): readonly Error[] {
  const chain: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && !chain.includes(current) && chain.length < MAX_DEPTH) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}
