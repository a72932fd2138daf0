import type { GroupStatus, SupervisorStatus } from 'nestjs-stage';

/**
 * Draws a supervision tree, one line per node: each supervisor with its state, strategy and
 * restarts of its children, each group with its state, running tasks, restarts and failures, and,
 * when its supervisor restarted it (a strategy restart), how many times.
 *
 * @example
 * renderSupervisionTree(app.get(StageRegistry).tree()).forEach((line) => console.log(line));
 */
export function renderSupervisionTree(root: SupervisorStatus): string[] {
  return [describeSupervisor(root), ...renderChildren(root, '')];
}

function renderChildren(supervisor: SupervisorStatus, indent: string): string[] {
  return supervisor.children.flatMap(({ name, status, restarts }, i) => {
    const last = i === supervisor.children.length - 1;
    const branch = `${indent}${last ? '└─ ' : '├─ '}`;
    if (status === undefined) return [`${branch}${name}`];
    if (!isSupervisor(status)) return [`${branch}${describeGroup(status, restarts)}`];
    return [
      `${branch}${describeSupervisor(status)}`,
      ...renderChildren(status, `${indent}${last ? '   ' : '│  '}`),
    ];
  });
}

function isSupervisor(status: GroupStatus | SupervisorStatus): status is SupervisorStatus {
  return 'kind' in status;
}

function describeSupervisor({ name, state, strategy, restarts }: SupervisorStatus): string {
  return `${name} (supervisor: ${state.kind}, ${strategy}, ${restarts} restarts of children)`;
}

function describeGroup(
  { name, state, running, size, restarts, failures }: GroupStatus,
  bySupervisor: number,
): string {
  const restarted = bySupervisor > 0 ? `, restarted ${bySupervisor} times by its supervisor` : '';
  return (
    `${name} (group: ${state.kind}, ${running}/${size} tasks running, ` +
    `${restarts} task restarts, ${failures} failures${restarted})`
  );
}
