import { describe, expect, it } from 'vitest';
import { causeChain } from './cause-chain.js';

describe('causeChain', () => {
  it('lists an error and its causes, deepest last', () => {
    const root = new Error('disk full');
    const middle = new Error('write failed', { cause: root });
    const top = new Error('gave up', { cause: middle });

    expect(causeChain(top)).toEqual([top, middle, root]);
  });

  it('stops at a cause that is not an Error', () => {
    const error = new Error('failed', { cause: 'a string' });

    expect(causeChain(error)).toEqual([error]);
  });

  it('stops at a cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;

    expect(causeChain(a)).toEqual([a, b]);
  });

  it('stops after 32 links', () => {
    let error = new Error('0');
    for (let i = 1; i < 100; i++) error = new Error(String(i), { cause: error });

    expect(causeChain(error)).toHaveLength(32);
  });
});
