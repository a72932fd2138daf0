import { describe, expect, it } from 'vitest';

import { readNumber } from './read-number.js';

describe('readNumber', () => {
  it('reads a number, or undefined when nothing is given', () => {
    expect(readNumber('PORT', '8080')).toBe(8080);
    expect(readNumber('CRASH_RATE', ' 0.5 ')).toBe(0.5);
    expect(readNumber('PORT', undefined)).toBeUndefined();
    expect(readNumber('PORT', '  ')).toBeUndefined();
  });

  it('refuses text that is not a finite number, naming the setting', () => {
    expect(() => readNumber('PORT', 'eighty')).toThrow('PORT must be a number; received "eighty".');
    expect(() => readNumber('--duration', 'Infinity')).toThrow('--duration must be a number');
  });
});
