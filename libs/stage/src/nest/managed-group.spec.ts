import { describe, expect, it, vi } from 'vitest';

import { TaskGroup } from '../core/group/task-group.js';
import type { ChildExit, ChildParent } from '../core/supervisor/child.js';
import { ManagedGroup } from './managed-group.js';

function managed(task = vi.fn(async () => new Promise(() => undefined))) {
  const group = new TaskGroup({ name: 'g', task, backoff: { minMs: 0, maxMs: 0 } });
  const wrapper = new ManagedGroup({
    group,
    origin: 'Class@method',
    owner: undefined,
    launch: 'with-owner',
    shutdownTimeoutMs: 50,
    channel: undefined,
    detach: () => undefined,
  });
  return { group, wrapper };
}

describe('ManagedGroup', () => {
  it('runs a start of its supervisor only once its launch has come', () => {
    const { group, wrapper } = managed();

    wrapper.start();
    expect(group.status().state.kind).toBe('idle');
    wrapper.open();
    expect(group.status().state.kind).toBe('running');
    expect(wrapper.running).toBe(true);
  });

  it('runs no start once shutdown began', async () => {
    const { group, wrapper } = managed();
    wrapper.open();
    wrapper.close();

    wrapper.start();

    expect(group.status().state.kind).toBe('idle');
    await wrapper.stop();
  });

  it('stays stopped when held, whatever its supervisor starts, until released', async () => {
    const { group, wrapper } = managed();
    wrapper.open();
    wrapper.start();
    wrapper.hold({ timeoutMs: 0 });
    await wrapper.stop();

    wrapper.start();
    expect(group.status().state.kind).toBe('stopped');
    wrapper.release();
    expect(group.status().state.kind).toBe('running');
    await wrapper.stop({ timeoutMs: 0 });
  });

  it('runs the planned step first, then stops the tasks within what is left of the deadline', async () => {
    vi.useFakeTimers();
    try {
      const { group, wrapper } = managed();
      wrapper.open();
      wrapper.start();
      await vi.advanceTimersByTimeAsync(1);
      const budgets: number[] = [];
      wrapper.planStop({
        before: async (budgetMs) => {
          budgets.push(budgetMs);
          await new Promise((resolve) => setTimeout(resolve, 30));
        },
      });

      const stopping = wrapper.stop();
      await vi.advanceTimersByTimeAsync(30);
      expect(group.status().state.kind).toBe('stopping');
      await vi.advanceTimersByTimeAsync(20);
      const report = await stopping;

      expect(budgets).toEqual([50]);
      expect(report).toEqual({ settled: 0, abandoned: [{ index: 0, attempt: 1 }], clean: false });
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports its group\u2019s exits to its parent as its own', async () => {
    const { wrapper } = managed(vi.fn(async () => undefined));
    const exits: [unknown, ChildExit][] = [];
    const parent: ChildParent = {
      path: ['root', 'Module'],
      childExited: (child, exit) => exits.push([child, exit]),
    };
    wrapper.setParent(parent);
    wrapper.open();

    wrapper.start();
    await vi.waitFor(() => expect(exits).toEqual([[wrapper, { kind: 'completed' }]]));
    expect(wrapper.path).toEqual(['root', 'Module', 'g']);
  });
});
