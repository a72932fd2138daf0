import { setImmediate } from 'node:timers';
import { describe, expect, it } from 'vitest';

import { stackOnce } from './stack-once.js';

describe('stackOnce', () => {
  it('gives the stack of an error the first time only within one turn of the event loop', () => {
    const error = new Error('the broker hung up');

    expect(stackOnce(error)).toBe(error.stack);
    expect(stackOnce(error)).toBeUndefined();
  });

  it('keeps the errors apart', () => {
    const first = new Error('one');
    const second = new Error('two');
    stackOnce(first);

    expect(stackOnce(second)).toBe(second.stack);
  });

  it('gives the stack again on a later turn, for an error object thrown again', async () => {
    const reused = new Error('connection lost');
    stackOnce(reused);

    await new Promise<void>((resolve) => setImmediate(resolve));

    expect(stackOnce(reused)).toBe(reused.stack);
  });
});
