import { describe, expect, it } from 'vitest';
import { GroupGaveUpError } from './group-gave-up-error.js';
import { isStageError } from './stage-error.js';

describe('GroupGaveUpError', () => {
  const limit = { maxRestarts: 6, withinMs: 30_000 };

  it('carries the group, its path, the limit and the last failure as its cause', () => {
    const cause = new Error('connection refused');
    const error = new GroupGaveUpError({ group: 'mailer', path: ['root', 'mailer'], limit, cause });
    expect(error).toMatchObject({ group: 'mailer', path: ['root', 'mailer'], limit, cause });
    expect(error.name).toBe('GroupGaveUpError');
    expect(isStageError(error, 'STAGE_GROUP_GAVE_UP')).toBe(true);
    expect(error.message).toBe(
      'Group "root/mailer" gave up: its tasks needed more than 6 restarts within 30000 ms. ' +
        'Last failure: connection refused. Fix what makes the task end so soon, or raise the ' +
        'group\'s "intensity" option.',
    );
  });

  it('counts a limit of one restart in the singular', () => {
    const cause = new Error('connection refused');
    const one = { maxRestarts: 1, withinMs: 1_000 };
    const error = new GroupGaveUpError({ group: 'relay', path: ['relay'], limit: one, cause });
    expect(error.message).toContain('needed more than 1 restart within 1000 ms.');
  });

  it('ends the last failure with one full stop, whether or not its message has one', () => {
    const cause = new Error('the broker hung up.');
    const error = new GroupGaveUpError({ group: 'relay', path: ['relay'], limit, cause });
    expect(error.message).toContain('Last failure: the broker hung up. Fix what');
  });

  it('says so when only completions were restarted', () => {
    const error = new GroupGaveUpError({ group: 'ticker', path: ['ticker'], limit });
    expect(error.cause).toBeUndefined();
    expect(error.message).toMatch(/completed at once each time under restart: 'always'/);
  });
});
