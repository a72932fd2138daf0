import { describe, expect, it } from 'vitest';

import { countOf } from './count-of.js';

describe('countOf', () => {
  it('puts the noun in the singular for 1 only', () => {
    expect([0, 1, 2, 6].map((count) => countOf(count, 'restart'))).toEqual([
      '0 restarts',
      '1 restart',
      '2 restarts',
      '6 restarts',
    ]);
  });

  it('takes an irregular plural', () => {
    expect(countOf(1, 'failed delivery', 'failed deliveries')).toBe('1 failed delivery');
    expect(countOf(3, 'failed delivery', 'failed deliveries')).toBe('3 failed deliveries');
  });
});
