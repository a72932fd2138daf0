import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';

import { OperandsPipe } from './operands.pipe.js';

describe('OperandsPipe', () => {
  const pipe = new OperandsPipe();

  it('reads integers, decimals, signs and exponents', () => {
    expect(pipe.transform({ a: '1', b: '2' })).toEqual({ a: 1, b: 2 });
    expect(pipe.transform({ a: '-1.5', b: '+.25' })).toEqual({ a: -1.5, b: 0.25 });
    expect(pipe.transform({ a: '2e3', b: '7.' })).toEqual({ a: 2000, b: 7 });
  });

  it.each([
    ['missing', { b: '2' }, 'Query parameter "a" is missing'],
    ['given twice', { a: ['1', '2'], b: '2' }, 'Query parameter "a" must be given once'],
    [
      'empty',
      { a: '', b: '2' },
      'Query parameter "a" must be a finite decimal number; received ""',
    ],
    ['not a number', { a: 'one', b: '2' }, 'received "one"'],
    ['hexadecimal', { a: '1', b: '0x10' }, 'Query parameter "b" must be a finite decimal number'],
    ['infinite as a double', { a: '1e400', b: '2' }, 'received "1e400"'],
    ['Infinity', { a: 'Infinity', b: '2' }, 'received "Infinity"'],
    ['padded with spaces', { a: ' 1', b: '2' }, 'received " 1"'],
  ])('refuses an operand that is %s with 400, naming it', (_, query, message) => {
    expect(() => pipe.transform(query)).toThrow(BadRequestException);
    expect(() => pipe.transform(query)).toThrow(message);
  });

  it('refuses with 400 two finite operands whose sum overflows a double', () => {
    expect(() => pipe.transform({ a: '1e308', b: '1e308' })).toThrow(
      'The sum of 1e+308 and 1e+308 is too large for a double',
    );
    expect(pipe.transform({ a: '1e308', b: '-1e308' })).toEqual({ a: 1e308, b: -1e308 });
  });

  it('refuses a query that is not an object as missing operands', () => {
    expect(() => pipe.transform(undefined)).toThrow('Query parameter "a" is missing');
  });
});
