import { describe, expect, it } from 'vitest';

import { optionsDifference } from './options-difference.js';

describe('optionsDifference', () => {
  it('finds no difference between structurally equal options', () => {
    const shutdown = (): void => undefined;
    expect(
      optionsDifference(
        { groups: { backoff: { minMs: 1 } }, onGiveUp: { action: 'shutdown', shutdown } },
        { onGiveUp: { shutdown, action: 'shutdown' }, groups: { backoff: { minMs: 1 } } },
      ),
    ).toBeUndefined();
  });

  it('treats a key set to undefined as a missing key', () => {
    expect(optionsDifference({ logging: undefined }, {})).toBeUndefined();
  });

  it('names the path of the first differing leaf', () => {
    expect(
      optionsDifference(
        { groups: { shutdownTimeoutMs: 1_000 }, logging: true },
        { groups: { shutdownTimeoutMs: 5_000 }, logging: true },
      ),
    ).toEqual({ path: 'groups.shutdownTimeoutMs', first: 1_000, second: 5_000 });
  });

  it('compares functions by identity', () => {
    const difference = optionsDifference(
      { onGiveUp: { shutdown: () => undefined } },
      { onGiveUp: { shutdown: () => undefined } },
    );
    expect(difference?.path).toBe('onGiveUp.shutdown');
  });

  it('tells an array from an object with the same keys', () => {
    expect(optionsDifference({ list: ['a'] }, { list: { 0: 'a' } })?.path).toBe('list');
  });

  it('compares class instances by identity, not by their fields', () => {
    class Clock {
      readonly now = 0;
    }
    expect(optionsDifference({ clock: new Clock() }, { clock: new Clock() })?.path).toBe('clock');
  });
});
