import { describe, expect, it } from 'vitest';
import { knownOptions, rejectUnknownKeys } from './option-checks.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

const KNOWN = ['minMs', 'maxMs', 'factor', 'jitter'] as const;

describe('knownOptions', () => {
  it('suggests the known name a typo comes closest to, whatever its case', () => {
    expect(knownOptions('mixMs', KNOWN)).toBe(
      'one of the options minMs, maxMs, factor, jitter (did you mean "minMs"?)',
    );
    expect(knownOptions('FACTR', KNOWN)).toContain('(did you mean "factor"?)');
  });

  it('suggests nothing for a name far from every known one', () => {
    expect(knownOptions('timeout', KNOWN)).toBe('one of the options minMs, maxMs, factor, jitter');
  });

  it('points a name that belongs one level down to the option that holds it', () => {
    const nested = { groups: ['restart', 'shutdownTimeoutMs'] };
    expect(knownOptions('shutdownTimeoutMs', ['groups', 'logging'], nested)).toBe(
      'one of the options groups, logging (did you mean "groups.shutdownTimeoutMs"?)',
    );
    expect(knownOptions('loging', ['groups', 'logging'], nested)).toContain(
      '(did you mean "logging"?)',
    );
  });
});

describe('rejectUnknownKeys', () => {
  it('names the first unknown key under its path, with the value received', () => {
    const reject = () =>
      rejectUnknownKeys({ minMs: 1, jiter: 0.5 }, KNOWN, 'group "g"', 'backoff.');

    expect(reject).toThrow(InvalidOptionError);
    expect(reject).toThrow(
      'Invalid option "backoff.jiter" for group "g": expected one of the options minMs, maxMs, ' +
        'factor, jitter (did you mean "jitter"?), received 0.5.',
    );
  });
});
