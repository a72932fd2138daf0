import { afterEach, describe, expect, it, vi } from 'vitest';
import { attachGroupLog, type GroupLogger } from './failure-log.js';
import type { GroupEvent, GroupListener } from './group-events.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('attachGroupLog', () => {
  it('logs with its stack the first failure after a quiet window, even when the error object is reused', async () => {
    vi.useFakeTimers();
    let listener: GroupListener | undefined;
    const group = { on: (next: GroupListener) => ((listener = next), () => undefined) };
    const lines: [string, string, string?][] = [];
    const logger: GroupLogger = {
      log: (message) => lines.push(['log', message]),
      warn: (message) => lines.push(['warn', message]),
      error: (message, stack) => lines.push(['error', message, stack]),
    };
    attachGroupLog(group, logger, { windowMs: 1_000 });
    // A client that rejects every call with one shared error object, as some drivers do.
    const down = new Error('connection lost');
    const failed: GroupEvent = {
      type: 'failed',
      group: 'mailer',
      path: ['mailer'],
      index: 0,
      attempt: 1,
      error: down,
    };

    listener?.(failed);
    await vi.advanceTimersByTimeAsync(5_000); // a quiet window passes
    listener?.(failed);

    const errors = lines.filter(([level]) => level === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0]?.[2]).toContain('connection lost');
    expect(errors[1]?.[2]).toContain('connection lost');
  });
});
