import { describe, expect, it } from 'vitest';

import { Channel } from './channel.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

// A context not made by a TaskGroup is stopped through `ctx.signal` (see `Channel.consume`), so
// an object whose `signal` is no AbortSignal is not a task context either.
const NOT_CONTEXTS: readonly [string, unknown][] = [
  ['no context at all', undefined],
  ['a context whose signal is a string', { signal: 'stop' }],
  ['a context whose signal is a plain object', { signal: {} }],
  ['a context whose signal is null', { signal: null }],
  ['the AbortSignal itself instead of the context', new AbortController().signal],
];

describe('Channel context check', () => {
  describe.each(['consume', 'receive'] as const)('%s', (method) => {
    it.each(NOT_CONTEXTS)('throws a typed error naming the channel for %s', (_, ctx) => {
      const channel = new Channel<string>({ name: 'jobs' });
      channel.markStarted();

      const call = (): unknown => {
        const result = channel[method](ctx as never);
        // consume() is lazy: the first next() is where a bad signal would be used.
        if (method === 'consume') {
          return (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().next();
        }
        return result;
      };

      expect(call).toThrow(InvalidOptionError);
      expect(call).toThrow('Invalid option "' + method + '(ctx)" for channel "jobs"');
    });
  });
});
