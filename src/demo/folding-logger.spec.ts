import { ConsoleLogger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';

import { FoldingLogger } from './folding-logger.js';

describe('FoldingLogger', () => {
  it('prints a kind of line once and counts the ones like it, numbers aside', () => {
    const print = vi.spyOn(ConsoleLogger.prototype, 'warn').mockImplementation(() => undefined);
    const logger = new FoldingLogger();

    logger.warn('group "auditor": 1 more failures in the last 5 s', 'auditor');
    logger.warn('group "auditor": 12 more failures in the last 5 s', 'auditor');
    logger.warn('group "auditor": 3 more failures in the last 5 s', 'auditor');

    expect(print).toHaveBeenCalledTimes(1);
    expect(print).toHaveBeenCalledWith(
      'group "auditor": 1 more failures in the last 5 s',
      'auditor',
    );
    expect(logger.folded()).toEqual([
      '2 more warn lines like: group "auditor": 1 more failures in the last 5 s',
    ]);
  });

  it('tells lines apart by level, context and text', () => {
    const warn = vi.spyOn(ConsoleLogger.prototype, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(ConsoleLogger.prototype, 'error').mockImplementation(() => undefined);
    const logger = new FoldingLogger();

    logger.warn('restarts', 'Stage');
    logger.warn('restarts', 'auditor');
    logger.error('restarts', 'stack', 'Stage');
    logger.warn('gave up', 'Stage');

    expect(warn).toHaveBeenCalledTimes(3);
    expect(error).toHaveBeenCalledWith('restarts', 'stack', 'Stage');
    expect(logger.folded()).toEqual([]);
  });

  it('keeps only the first line of a folded message as its sample', () => {
    vi.spyOn(ConsoleLogger.prototype, 'error').mockImplementation(() => undefined);
    const logger = new FoldingLogger();

    logger.error('gave up\nat task 1', 'stack', 'auditor');
    logger.error('gave up\nat task 2', 'stack', 'auditor');

    expect(logger.folded()).toEqual(['1 more error lines like: gave up']);
  });

  it('drops the log level, as the demo prints only fatal, error and warn', () => {
    const print = vi.spyOn(ConsoleLogger.prototype, 'log');
    const logger = new FoldingLogger();

    logger.log();

    expect(print).not.toHaveBeenCalled();
  });
});
