/**
 * What a child's failure does to its siblings, when the supervisor restarts it.
 *
 * - `one-for-one` (the default): only the child that exited is restarted.
 * - `one-for-all`: every live child is stopped (in reverse start order) and all are started again
 *   (in start order). For children that depend on each other both ways.
 * - `rest-for-one`: the child that exited and the live children started after it are restarted
 *   that way. For a pipeline where later children depend on earlier ones.
 *
 * "Live" means running or already part of a restart. A child that has ended (completed, or exited
 * under the `never` policy) or that was stopped on purpose with `stopChild()` is not restarted
 * because a sibling failed: a sibling's crash never undoes an operator's decision.
 */
export type SupervisorStrategy = 'one-for-one' | 'one-for-all' | 'rest-for-one';

export const SUPERVISOR_STRATEGIES: readonly SupervisorStrategy[] = [
  'one-for-one',
  'one-for-all',
  'rest-for-one',
];

/**
 * The children a restart of `children[failedIndex]` takes, in start order: the failed child and
 * the live siblings the strategy adds to it.
 */
export function selectRestartTargets<TChild>(
  strategy: SupervisorStrategy,
  children: readonly TChild[],
  failedIndex: number,
  isLive: (child: TChild) => boolean,
): TChild[] {
  const failed = children[failedIndex];
  if (failed === undefined) return [];

  switch (strategy) {
    case 'one-for-one':
      return [failed];
    case 'one-for-all':
      return children.filter((child, index) => index === failedIndex || isLive(child));
    case 'rest-for-one':
      return children.filter(
        (child, index) => index === failedIndex || (index > failedIndex && isLive(child)),
      );
  }
}
