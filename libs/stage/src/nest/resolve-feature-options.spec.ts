import { describe, expect, it } from 'vitest';

import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { declaredChannelNames, resolveFeatureOptions } from './resolve-feature-options.js';

/** The option an `InvalidOptionError` thrown by `run` names. */
function badOption(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error.option;
    throw error;
  }
  return undefined;
}

describe('resolveFeatureOptions', () => {
  it('accepts channels and supervisor options, leaving out undefined fields', () => {
    expect(
      resolveFeatureOptions({
        channels: [{ name: 'adder', capacity: 8, overflow: undefined }],
        supervisor: { strategy: 'rest-for-one', intensity: false, backoff: undefined },
      }),
    ).toEqual({
      channels: [{ name: 'adder', capacity: 8 }],
      supervisor: { strategy: 'rest-for-one', intensity: false },
    });
    expect(resolveFeatureOptions({})).toEqual({ channels: [], supervisor: undefined });
  });

  it.each([
    ['options that are not an object', null, 'options'],
    ['an unknown key', { channel: [] }, 'channel'],
    ['channels that are not an array', { channels: {} }, 'channels'],
    ['a channel that is not an object', { channels: ['adder'] }, 'channels[0]'],
    ['a channel without a name', { channels: [{ capacity: 1 }] }, 'channels[0].name'],
    [
      'a misspelled channel option',
      { channels: [{ name: 'a', capcity: 1 }] },
      'channels[0].capcity',
    ],
    ['a name twice', { channels: [{ name: 'a' }, { name: 'a' }] }, 'channels[1].name'],
    ['an unknown supervisor key', { supervisor: { name: 'x' } }, 'supervisor.name'],
    ['a bad strategy', { supervisor: { strategy: 'all' } }, 'supervisor.strategy'],
    [
      'a bad intensity',
      { supervisor: { intensity: { maxRestarts: -1, withinMs: 1 } } },
      'supervisor.intensity.maxRestarts',
    ],
  ])('rejects %s, naming the option', (_case, input, option) => {
    expect(badOption(() => resolveFeatureOptions(input))).toBe(option);
  });

  it('points a supervisor option given beside channels to its place under supervisor', () => {
    expect(() => resolveFeatureOptions({ strategy: 'one-for-all' })).toThrow(
      'Invalid option "strategy" for StageModule.forFeature options: expected one of the options ' +
        'channels, supervisor (did you mean "supervisor.strategy"?), received "one-for-all".',
    );
  });

  it('names the registration as the owner', () => {
    expect(() => resolveFeatureOptions({ channels: 1 })).toThrow(
      'Invalid option "channels" for StageModule.forFeature options: expected an array, received 1.',
    );
  });
});

describe('declaredChannelNames', () => {
  it('reads the names of the well-formed declarations only', () => {
    expect(
      declaredChannelNames({
        channels: [{ name: 'a' }, { name: '' }, null as never, { name: 'b' }],
      }),
    ).toEqual(['a', 'b']);
    expect(declaredChannelNames({ channels: 'a' as never })).toEqual([]);
    expect(declaredChannelNames(undefined)).toEqual([]);
  });
});
