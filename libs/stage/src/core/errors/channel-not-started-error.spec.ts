import { describe, expect, it } from 'vitest';

import { ChannelNotStartedError } from './channel-not-started-error.js';

describe('ChannelNotStartedError', () => {
  it('says how full the channel is and what to do', () => {
    expect(new ChannelNotStartedError('jobs', 1_024).message).toBe(
      'Channel "jobs" is full (1024 messages buffered) and its consumers have not started yet: ' +
        'waiting for room could deadlock the bootstrap. Send after the application has started, ' +
        "or raise the channel's capacity.",
    );
  });

  it('counts a capacity of one message in the singular', () => {
    expect(new ChannelNotStartedError('jobs', 1).message).toContain('(1 message buffered)');
  });
});
