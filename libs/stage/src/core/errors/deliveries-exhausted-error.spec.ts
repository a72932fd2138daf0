import { describe, expect, it } from 'vitest';

import { DeliveriesExhaustedError } from './deliveries-exhausted-error.js';

describe('DeliveriesExhaustedError', () => {
  it('says how often the message was delivered and what to do', () => {
    expect(new DeliveriesExhaustedError('adder', 'm-1', 5).message).toBe(
      'Message m-1 on channel "adder" was delivered 5 times and each consumer holding it ended ' +
        'before settling it (a process killed or crashed while handling it). It was ' +
        'dead-lettered instead of being delivered again: find what ends those consumers, then ' +
        'replay it with replayDeadLetters().',
    );
  });

  it('counts one delivery in the singular', () => {
    expect(new DeliveriesExhaustedError('adder', 'm-1', 1).message).toContain(
      'was delivered 1 time and',
    );
  });
});
