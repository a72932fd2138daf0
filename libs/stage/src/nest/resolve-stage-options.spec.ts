import { describe, expect, it } from 'vitest';

import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { resolveStageOptions } from './resolve-stage-options.js';
import { shutdownBySignal } from './shutdown-by-signal.js';
import { DEFAULT_ROOT_RESTART_BACKOFF } from './stage-module-options.js';

function invalidOption(input: unknown): InvalidOptionError {
  try {
    resolveStageOptions(input);
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('resolveStageOptions accepted the options');
}

describe('resolveStageOptions', () => {
  it('fills every default for empty options', () => {
    expect(resolveStageOptions({})).toEqual({
      groups: {},
      onGiveUp: { action: 'restart', backoff: DEFAULT_ROOT_RESTART_BACKOFF },
      logging: true,
      skipScopedProviders: false,
    });
  });

  it('defaults the root restart to 30 s doubling up to 5 min', () => {
    expect(DEFAULT_ROOT_RESTART_BACKOFF).toMatchObject({
      minMs: 30_000,
      maxMs: 300_000,
      factor: 2,
    });
  });

  it('keeps group defaults and drops the ones set to undefined', () => {
    const resolved = resolveStageOptions({
      groups: { shutdownTimeoutMs: 1_000, restart: undefined, backoff: { minMs: 5 } },
    });
    expect(resolved.groups).toEqual({ shutdownTimeoutMs: 1_000, backoff: { minMs: 5 } });
  });

  it('merges a partial root restart backoff over the defaults', () => {
    const resolved = resolveStageOptions({
      onGiveUp: { action: 'restart', backoff: { minMs: 10 } },
    });
    expect(resolved.onGiveUp).toEqual({
      action: 'restart',
      backoff: { ...DEFAULT_ROOT_RESTART_BACKOFF, minMs: 10 },
    });
  });

  it('uses SIGTERM as the default shutdown of the shutdown policy', () => {
    const resolved = resolveStageOptions({ onGiveUp: { action: 'shutdown' } });
    expect(resolved.onGiveUp).toEqual({ action: 'shutdown', shutdown: shutdownBySignal });
  });

  it('rejects options that are not an object', () => {
    expect(invalidOption(undefined)).toMatchObject({ option: 'options', expected: 'an object' });
    expect(invalidOption([])).toMatchObject({ option: 'options' });
  });

  it('rejects an unknown key, naming it and the known ones', () => {
    const error = invalidOption({ grups: {} });
    expect(error.option).toBe('grups');
    expect(error.message).toContain(
      'expected one of the options groups, onGiveUp, logging, skipScopedProviders',
    );
    expect(error.message).toContain('(did you mean "groups"?)');
  });

  it('points a group default given at the root to its place under groups', () => {
    const error = invalidOption({ shutdownTimeoutMs: 1_000 });
    expect(error.option).toBe('shutdownTimeoutMs');
    expect(error.message).toBe(
      'Invalid option "shutdownTimeoutMs" for StageModule options: expected one of the options ' +
        'groups, onGiveUp, logging, skipScopedProviders (did you mean ' +
        '"groups.shutdownTimeoutMs"?), received 1000.',
    );
    expect(invalidOption({ backoff: { minMs: 5 } }).message).toContain(
      '(did you mean "groups.backoff"?)',
    );
  });

  it('points a give-up policy field given at the root to its place under onGiveUp', () => {
    expect(invalidOption({ action: 'shutdown' }).message).toContain(
      '(did you mean "onGiveUp.action"?)',
    );
  });

  it('rejects a group default by the core rules, under the groups path', () => {
    const error = invalidOption({ groups: { shutdownTimeoutMs: -1 } });
    expect(error).toMatchObject({
      owner: 'StageModule options',
      option: 'groups.shutdownTimeoutMs',
    });
  });

  it('rejects a bad nested backoff default with its full path', () => {
    expect(invalidOption({ groups: { backoff: { maxMs: -5 } } }).option).toMatch(
      /^groups\.backoff\./,
    );
  });

  it('rejects a per-group option that has no root default', () => {
    expect(invalidOption({ groups: { size: 2 } }).option).toBe('groups.size');
  });

  it('rejects an unknown give-up action', () => {
    expect(invalidOption({ onGiveUp: { action: 'ignore' } })).toMatchObject({
      option: 'onGiveUp.action',
      received: 'ignore',
    });
  });

  it('rejects a shutdown callback that is not a function', () => {
    expect(invalidOption({ onGiveUp: { action: 'shutdown', shutdown: 'now' } }).option).toBe(
      'onGiveUp.shutdown',
    );
  });

  it('rejects root restart waits out of range', () => {
    const restart = (backoff: object): unknown => ({ onGiveUp: { action: 'restart', backoff } });
    expect(invalidOption(restart({ minMs: -1 })).option).toBe('onGiveUp.backoff.minMs');
    expect(invalidOption(restart({ minMs: 10, maxMs: 5 })).option).toBe('onGiveUp.backoff.maxMs');
    expect(invalidOption(restart({ maxMs: 2 ** 31 })).option).toBe('onGiveUp.backoff.maxMs');
    expect(invalidOption(restart({ factor: 0.5 })).option).toBe('onGiveUp.backoff.factor');
    expect(invalidOption(restart({ resetAfterMs: Number.NaN })).option).toBe(
      'onGiveUp.backoff.resetAfterMs',
    );
  });

  it('rejects non-boolean switches', () => {
    expect(invalidOption({ logging: 'yes' }).option).toBe('logging');
    expect(invalidOption({ skipScopedProviders: 1 }).option).toBe('skipScopedProviders');
  });
});
