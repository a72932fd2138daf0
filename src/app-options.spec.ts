import { InvalidOptionError } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { resolveAppOptions } from './app-options.js';

describe('resolveAppOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveAppOptions()).toEqual({
      crashRate: 0.02,
      seed: 1,
      retryAfterMs: 100,
      maxAttempts: 20,
      requestTimeoutMs: 10_000,
      addWorkMs: 0,
      pipeline: true,
      tickIntervalMs: 100,
      logging: true,
    });
  });

  it('keeps given values and treats undefined as not given', () => {
    expect(resolveAppOptions({ crashRate: 1, seed: undefined, logging: false })).toMatchObject({
      crashRate: 1,
      seed: 1,
      logging: false,
    });
  });

  it.each([
    ['crashRate', { crashRate: 1.5 }, 'a number from 0 to 1'],
    ['crashRate', { crashRate: Number.NaN }, 'a number from 0 to 1'],
    ['seed', { seed: Number.POSITIVE_INFINITY }, 'a finite number'],
    ['retryAfterMs', { retryAfterMs: 0 }, 'a finite number > 0'],
    ['maxAttempts', { maxAttempts: 1.5 }, 'an integer >= 1'],
    ['requestTimeoutMs', { requestTimeoutMs: -1 }, 'a finite number > 0'],
    ['addWorkMs', { addWorkMs: -1 }, 'a finite number >= 0'],
    ['adderStorage', { adderStorage: 'redis' as never }, 'a channel storage'],
    ['pipeline', { pipeline: 1 as unknown as boolean }, 'true or false'],
    ['tickIntervalMs', { tickIntervalMs: Number.NaN }, 'a finite number >= 0'],
    ['logging', { logging: 'yes' as unknown as boolean }, 'true or false'],
  ])('refuses a bad %s with an InvalidOptionError naming it', (option, options, expected) => {
    expect(() => resolveAppOptions(options)).toThrow(InvalidOptionError);
    expect(() => resolveAppOptions(options)).toThrow(
      `Invalid option "${option}" for AppModule.forRoot: expected ${expected}`,
    );
  });
});
