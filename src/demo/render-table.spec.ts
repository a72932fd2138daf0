import { describe, expect, it } from 'vitest';

import { renderTable } from './render-table.js';

describe('renderTable', () => {
  it('draws a boxed table, labels left-aligned and values right-aligned', () => {
    expect(
      renderTable(
        ['measure', 'degree 1'],
        [
          ['requests sent', 2468],
          ['redeliveries', '-'],
        ],
      ),
    ).toEqual([
      '┌───────────────┬──────────┐',
      '│ measure       │ degree 1 │',
      '├───────────────┼──────────┤',
      '│ requests sent │     2468 │',
      '│ redeliveries  │        - │',
      '└───────────────┴──────────┘',
    ]);
  });

  it('widens a column to its longest cell and leaves missing cells blank', () => {
    expect(renderTable(['a', 'b'], [['x'], ['y', 123456]])).toEqual([
      '┌───┬────────┐',
      '│ a │      b │',
      '├───┼────────┤',
      '│ x │        │',
      '│ y │ 123456 │',
      '└───┴────────┘',
    ]);
  });
});
