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
      mode: { kind: 'memory' },
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
      mode: { kind: 'memory' },
    });
  });

  it('runs replicas on Redis with --redis, driving the second degree only', () => {
    const env = { REDIS_URL: 'redis://10.0.0.5:6380' };

    expect(readDemoOptions(['--redis', '--replicas', '4', '--kill-one'], env)).toMatchObject({
      degrees: [2],
      mode: { kind: 'redis', url: 'redis://10.0.0.5:6380', replicas: 4, killOne: true },
    });
    expect(readDemoOptions(['--redis'], {})).toMatchObject({
      mode: { kind: 'redis', url: 'redis://127.0.0.1:6379', replicas: 3, killOne: false },
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
    [['--replicas', '2'], {}, '--replicas needs --redis.'],
    [['--kill-one'], {}, '--kill-one needs --redis.'],
    [['--redis', '--degree', '1'], {}, '--degree must be 2 or left out; received "1".'],
    [['--redis', '--replicas', '9'], {}, '--replicas must be an integer from 1 to 8'],
    [['--redis', '--replicas', '1', '--kill-one'], {}, '--kill-one needs at least 2 replicas'],
    [['--redis'], { REDIS_URL: 'localhost' }, 'must be a redis:// or rediss:// URL'],
  ])('refuses %j %j with a usage error naming the setting', (argv, env, message) => {
    expect(() => readDemoOptions(argv, env)).toThrow(DemoUsageError);
    expect(() => readDemoOptions(argv, env)).toThrow(message);
    expect(() => readDemoOptions(argv, env)).toThrow('Usage: npm run demo -- [options]');
  });
});
