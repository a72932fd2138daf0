import { describe, expect, it } from 'vitest';

import { DeadLetteredError } from './dead-lettered-error.js';

describe('DeadLetteredError', () => {
  it('names the message, its failed deliveries and the last error, which is its cause', () => {
    const cause = new Error('cannot add 7');
    const error = new DeadLetteredError('adder', 'm-1', 5, cause);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(
      'Message m-1 on channel "adder" was dead-lettered after 5 failed deliveries; last error: ' +
        'cannot add 7. Fix the handler, then replay it with replayDeadLetters().',
    );
  });

  it('counts one failed delivery in the singular', () => {
    const error = new DeadLetteredError('adder', 'm-1', 1, new Error('cannot add 7'));
    expect(error.message).toContain('dead-lettered after 1 failed delivery; last error');
  });
});
