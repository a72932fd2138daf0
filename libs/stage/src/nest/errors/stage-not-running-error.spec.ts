import { describe, expect, it } from 'vitest';

import { isStageError } from '../../core/errors/stage-error.js';
import { StageNotRunningError } from './stage-not-running-error.js';

describe('StageNotRunningError', () => {
  it('tells a call before the bootstrap to wait for it', () => {
    const error = new StageNotRunningError('start("mailer")', 'bootstrapping');
    expect(isStageError(error, 'STAGE_NOT_RUNNING')).toBe(true);
    expect(error).toMatchObject({ operation: 'start("mailer")', phase: 'bootstrapping' });
    expect(error.message).toBe(
      'StageRegistry.start("mailer") was called before the application bootstrapped. Call it ' +
        'from onApplicationBootstrap or later; groups start by themselves at bootstrap.',
    );
  });

  it('says a call during the shutdown came after it began', () => {
    expect(new StageNotRunningError('spawn({ name: "late" })', 'shutting-down').message).toBe(
      'StageRegistry.spawn({ name: "late" }) was called after the application began shutting ' +
        'down; Stage starts no new work once shutdown has begun.',
    );
  });

  it('says a call after app.close() came once the application had shut down', () => {
    expect(new StageNotRunningError('spawn({ name: "late" })', 'shut-down').message).toBe(
      'StageRegistry.spawn({ name: "late" }) was called after the application shut down ' +
        '(app.close() had resolved); Stage starts no new work then. Call it before closing the ' +
        'application, or in a new one.',
    );
  });
});
