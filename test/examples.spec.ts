import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { main as runAdderChannel } from '../examples/adder-channel.js';
import { main as runPipelineModule } from '../examples/pipeline-module.js';
import { main as runSupervisedProvider } from '../examples/supervised-provider.js';
import { main as runSupervisionTree } from '../examples/supervision-tree.js';
import { main as runTaskGroup } from '../examples/task-group.js';

describe('README examples', () => {
  it('shows each example file verbatim, so the README cannot drift from code that runs', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const marked = [...readme.matchAll(/<!-- example: (\S+) -->\s*```ts\n([\s\S]*?)```/g)];

    expect(marked.length).toBeGreaterThan(0);
    for (const [, path, code] of marked) {
      const file = readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
      expect(code, path).toBe(file);
    }
  });

  it('restarts a crashing task in plain Node, then stops it cleanly', async () => {
    const events = await runTaskGroup();

    expect(events.filter((type) => type === 'failed')).toHaveLength(2);
    expect(events.filter((type) => type === 'restarting')).toHaveLength(2);
    expect(events.at(-1)).toBe('stopped');
  });

  it('runs a @Supervised provider method under Nest and restarts the copy that crashed', async () => {
    const { restarts, relayed } = await runSupervisedProvider();

    expect(restarts).toBe(1);
    expect(relayed).toBeGreaterThan(0);
  });

  it('answers every request through a channel, redelivering the one whose handler threw', async () => {
    const { sums, redeliveries, lost } = await runAdderChannel();

    expect(sums).toEqual([3, 17]);
    expect(redeliveries).toBe(1);
    expect(lost).toBe(0);
  });

  it('restarts a producer with its consumer under one-for-all, producer first', async () => {
    const starts = await runSupervisionTree();

    expect(starts.slice(0, 4)).toEqual(['producer', 'consumer', 'producer', 'consumer']);
  });

  it("restarts both of a Nest module's groups one-for-all when one gives up, producer first", async () => {
    const { starts, path, healthy } = await runPipelineModule();

    expect(starts).toEqual(['producer', 'consumer', 'producer', 'consumer']);
    expect(path).toEqual(['root', 'PipelineModule', 'Consumer.run']);
    expect(healthy).toBe(true);
  });
});
