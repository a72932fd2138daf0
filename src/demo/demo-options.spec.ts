import { describe, expect, it } from 'vitest';

import { DemoUsageError, readDemoOptions } from './demo-options.js';

describe('readDemoOptions', () => {
  it('uses the defaults when nothing is given', () => {
    expect(readDemoOptions([], {})).toEqual({
      durationSeconds: 5,
      crashRate: 0.02,
      connections: 32,
      degrees: [1, 2],
      seed: 1,
    });
  });

  it('reads every flag', () => {
    const argv = ['--duration', '2', '--crash-rate', '0.1', '--connections', '8', '--degree', '2'];

    expect(readDemoOptions([...argv, '--seed', '9'], {})).toEqual({
      durationSeconds: 2,
      crashRate: 0.1,
      connections: 8,
      degrees: [2],
      seed: 9,
    });
  });

  it('reads environment variables, and lets flags win over them', () => {
    const env = { DEMO_DURATION: '3', CRASH_RATE: '0.5', DEMO_DEGREE: '1', SEED: '4' };

    expect(readDemoOptions(['--duration=1'], env)).toMatchObject({
      durationSeconds: 1,
      crashRate: 0.5,
      degrees: [1],
      seed: 4,
    });
  });

  it('returns help for --help', () => {
    expect(readDemoOptions(['--help'], {})).toBe('help');
  });

  it.each([
    [
      ['--duration', '0'],
      {},
      '--duration must be more than 0 and at most 600 seconds; received 0.',
    ],
    [['--crash-rate', '2'], {}, '--crash-rate must be from 0 to 1; received 2.'],
    [[], { CRASH_RATE: 'lots' }, 'CRASH_RATE (environment) must be a number; received "lots".'],
    [['--connections', '2.5'], {}, '--connections must be an integer from 1 to 1000'],
    [['--degree', '3'], {}, '--degree must be 1, 2 or both; received "3".'],
    [['--fast'], {}, "Unknown option '--fast'"],
  ])('refuses %j %j with a usage error naming the setting', (argv, env, message) => {
    expect(() => readDemoOptions(argv, env)).toThrow(DemoUsageError);
    expect(() => readDemoOptions(argv, env)).toThrow(message);
    expect(() => readDemoOptions(argv, env)).toThrow('Usage: npm run demo -- [options]');
  });
});
