import { describe, expect, it } from 'vitest';

import { SupervisorGaveUpError } from './supervisor-gave-up-error.js';

describe('SupervisorGaveUpError', () => {
  const failed = { kind: 'failed', error: new Error('connection refused') } as const;

  it('names the supervisor, the limit and the last failure, which becomes its cause', () => {
    const error = new SupervisorGaveUpError({
      path: ['root', 'billing'],
      child: ['root', 'billing', 'ledger'],
      exit: failed,
      intensity: { maxRestarts: 3, withinMs: 60_000 },
    });
    expect(error.cause).toBe(failed.error);
    expect(error.message).toBe(
      'Supervisor "root/billing" gave up: its children needed more than 3 restarts within ' +
        '60000 ms (the last: "root/billing/ledger" failed: connection refused). It stopped all ' +
        'its children and escalated to its parent. Fix the failure in the cause chain, or raise ' +
        'the supervisor\'s "intensity" if such restarts are expected.',
    );
  });

  it('counts a limit of one restart in the singular', () => {
    const error = new SupervisorGaveUpError({
      path: ['billing'],
      child: ['billing', 'ledger'],
      exit: failed,
      intensity: { maxRestarts: 1, withinMs: 1_000 },
    });
    expect(error.message).toContain('needed more than 1 restart within 1000 ms');
  });
});
