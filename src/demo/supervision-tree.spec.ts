import type { ChildStatus, GroupStatus, SupervisorStatus } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { renderSupervisionTree } from './supervision-tree.js';

function group(name: string, restarts = 0): GroupStatus {
  return {
    name,
    path: [name],
    state: { kind: 'running', since: 0 },
    size: 4,
    restart: 'on-failure',
    running: 4,
    backingOff: 0,
    restarts,
    failures: restarts,
  };
}

function supervisor(
  name: string,
  children: ChildStatus['status'][],
  { strategy = 'one-for-one', restarts = 0 }: Partial<SupervisorStatus> = {},
): SupervisorStatus {
  return {
    kind: 'supervisor',
    name,
    path: [name],
    strategy,
    restart: 'always',
    state: { kind: 'running', since: 0 },
    restarts,
    failures: 0,
    children: children.map((status, i) => ({
      name: status?.name ?? `child-${i}`,
      path: [name, status?.name ?? `child-${i}`],
      restart: 'always',
      state: { kind: 'running', since: 0 },
      restarts,
      failures: 0,
      ...(status === undefined ? {} : { status }),
    })),
  };
}

describe('renderSupervisionTree', () => {
  it('draws supervisors and groups, each with its own figures', () => {
    const tree = supervisor('root', [
      supervisor('FirstDegreeModule', [group('queue-adder', 7)]),
      supervisor('SecondDegreeModule', [group('channel-adder')]),
    ]);

    expect(renderSupervisionTree(tree)).toEqual([
      'root (supervisor: running, one-for-one, 0 restarts of children)',
      '├─ FirstDegreeModule (supervisor: running, one-for-one, 0 restarts of children)',
      '│  └─ queue-adder (group: running, 4/4 tasks running, 7 task restarts, 7 failures)',
      '└─ SecondDegreeModule (supervisor: running, one-for-one, 0 restarts of children)',
      '   └─ channel-adder (group: running, 4/4 tasks running, 0 task restarts, 0 failures)',
    ]);
  });

  it('says how many times a supervisor restarted each group, when it did', () => {
    const pipeline = supervisor('PipelineModule', [group('auditor'), group('ticker')], {
      strategy: 'one-for-all',
      restarts: 3,
    });

    expect(renderSupervisionTree(supervisor('root', [pipeline])).slice(1)).toEqual([
      '└─ PipelineModule (supervisor: running, one-for-all, 3 restarts of children)',
      '   ├─ auditor (group: running, 4/4 tasks running, 0 task restarts, 0 failures, ' +
        'restarted 3 times by its supervisor)',
      '   └─ ticker (group: running, 4/4 tasks running, 0 task restarts, 0 failures, ' +
        'restarted 3 times by its supervisor)',
    ]);
  });

  it('draws nested supervisors with their branches, and a child without a snapshot by name', () => {
    const tree = supervisor('root', [
      supervisor('adders', [group('queue-adder'), group('channel-adder')]),
      undefined,
    ]);

    expect(renderSupervisionTree(tree).map((line) => line.replace(/ \(.*/, ''))).toEqual([
      'root',
      '├─ adders',
      '│  ├─ queue-adder',
      '│  └─ channel-adder',
      '└─ child-1',
    ]);
  });

  it('draws only the root when it has no child', () => {
    expect(renderSupervisionTree(supervisor('root', []))).toHaveLength(1);
  });
});
