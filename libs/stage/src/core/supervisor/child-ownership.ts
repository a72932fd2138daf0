import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { SupervisedChild } from './child.js';

/**
 * The supervisor that owns each child, from `add()` until the child leaves its list (`remove()`,
 * or removal after a restart under the `never` policy). A child has at most one owner, and the
 * chain of owners above a supervisor never loops back to it. Shared by every supervisor of the
 * process; weak, so that it keeps no child alive.
 */
const owners = new WeakMap<SupervisedChild, SupervisedChild>();

/**
 * Checks that `parent` may own `child`: it is not `parent` itself, no other supervisor owns it,
 * and it is not above `parent` (the tree would loop). Changes nothing.
 *
 * @param owner Names `parent` in errors, for example `supervisor "billing"`.
 * @throws {InvalidOptionError} naming the child and saying which rule it breaks.
 */
export function assertCanOwn(parent: SupervisedChild, child: SupervisedChild, owner: string): void {
  if (child === parent) {
    throw new InvalidOptionError(owner, 'child', parent.name, 'a child other than itself');
  }
  const current = owners.get(child);
  if (current !== undefined && current !== parent) {
    const where = current.path.join('/');
    throw new InvalidOptionError(
      owner,
      'child',
      child.name,
      `a child that no other supervisor owns (it is a child of "${where}"; remove it there first)`,
    );
  }
  for (let above = owners.get(parent); above !== undefined; above = owners.get(above)) {
    if (above === child) {
      throw new InvalidOptionError(
        owner,
        'child',
        child.name,
        `a supervisor that is not above "${parent.path.join('/')}" (the tree would loop)`,
      );
    }
  }
}

/** Records `parent` as the owner of `child`; the caller checked it with {@link assertCanOwn}. */
export function own(parent: SupervisedChild, child: SupervisedChild): void {
  owners.set(child, parent);
}

/** Frees `child` to be added again, here or elsewhere, if `parent` still owns it. */
export function disown(parent: SupervisedChild, child: SupervisedChild): void {
  if (owners.get(child) === parent) owners.delete(child);
}

/** Whether some supervisor owns `child`. */
export function isOwned(child: SupervisedChild): boolean {
  return owners.has(child);
}
