import { describe, expect, it } from 'vitest';
import { TurnBatch } from './turn-batch.js';
import type { TurnBatchOptions } from './turn-batch.js';

/** What a batch did: the calls it sent, the results and failures it reported, what it tracked. */
interface Recorded {
  readonly calls: string[][];
  readonly done: [string, number][];
  readonly failed: [string[], unknown][];
  readonly tracked: Promise<unknown>[];
}

/** A batch of strings, at most 3 per call, whose call answers each item's length by default. */
function recordingBatch(
  send: TurnBatchOptions<string, number>['send'] = async (items) =>
    items.map((item) => item.length),
): [TurnBatch<string, number>, Recorded] {
  const recorded: Recorded = { calls: [], done: [], failed: [], tracked: [] };
  const batch = new TurnBatch<string, number>({
    maxPerCall: 3,
    send: (items) => {
      recorded.calls.push([...items]);
      return send(items);
    },
    track: (call) => recorded.tracked.push(call),
    done: (item, result) => recorded.done.push([item, result]),
    failed: (items, error) => recorded.failed.push([[...items], error]),
  });
  return [batch, recorded];
}

/** Lets the scheduled flush run and the calls it made settle. */
async function nextTurn(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('TurnBatch', () => {
  describe('add', () => {
    it('sends every item added in one turn in one call, and reports each result in order', async () => {
      const [batch, recorded] = recordingBatch();

      batch.add('a');
      batch.add('bb');
      expect(batch.queued).toBe(2);
      await nextTurn();

      expect(recorded.calls).toEqual([['a', 'bb']]);
      expect(recorded.done).toEqual([
        ['a', 1],
        ['bb', 2],
      ]);
      expect(batch.queued).toBe(0);
    });

    it('sends the items of a later turn in a call of their own', async () => {
      const [batch, recorded] = recordingBatch();

      batch.add('first');
      await nextTurn();
      batch.add('second');
      await nextTurn();

      expect(recorded.calls).toEqual([['first'], ['second']]);
    });

    it('splits a turn with more than maxPerCall items into several calls', async () => {
      const [batch, recorded] = recordingBatch();

      for (const item of ['1', '2', '3', '4', '5', '6', '7']) batch.add(item);
      await nextTurn();

      expect(recorded.calls).toEqual([['1', '2', '3'], ['4', '5', '6'], ['7']]);
      expect(recorded.done.map(([item]) => item)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
      expect(recorded.tracked).toHaveLength(3);
    });
  });

  describe('when a call fails', () => {
    it('fails every item the call carried, and only those', async () => {
      const refused = new Error('connection lost');
      const [batch, recorded] = recordingBatch(async (items) => {
        if (items.includes('4')) throw refused;
        return items.map(() => 1);
      });

      for (const item of ['1', '2', '3', '4', '5']) batch.add(item);
      await nextTurn();

      expect(recorded.done.map(([item]) => item)).toEqual(['1', '2', '3']);
      expect(recorded.failed).toEqual([[['4', '5'], refused]]);
    });

    it('fails the items of a call whose send throws instead of returning a promise', async () => {
      const thrown = new Error('not attached');
      const [batch, recorded] = recordingBatch(() => {
        throw thrown;
      });

      batch.add('a');
      await nextTurn();

      expect(recorded.failed).toEqual([[['a'], thrown]]);
      await expect(recorded.tracked[0]).rejects.toBe(thrown);
    });
  });

  describe('remove', () => {
    it('takes back an item not sent yet, which is then neither sent nor reported', async () => {
      const [batch, recorded] = recordingBatch();
      batch.add('kept');
      batch.add('taken back');

      expect(batch.remove('taken back')).toBe(true);
      await nextTurn();

      expect(recorded.calls).toEqual([['kept']]);
      expect(recorded.done).toEqual([['kept', 4]]);
      expect(batch.remove('kept')).toBe(false);
    });
  });

  describe('flush', () => {
    it('sends what is queued at once, and the scheduled flush then finds nothing to send', async () => {
      const [batch, recorded] = recordingBatch();

      batch.add('a');
      batch.flush();
      expect(recorded.calls).toEqual([['a']]);
      await nextTurn();

      expect(recorded.calls).toEqual([['a']]);
    });

    it('sends nothing when nothing is queued', () => {
      const [batch, recorded] = recordingBatch();

      batch.flush();

      expect(recorded.calls).toEqual([]);
    });
  });
});
