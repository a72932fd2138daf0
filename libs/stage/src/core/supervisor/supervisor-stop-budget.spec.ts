import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { FakeChild } from './fake-child.spec-helper.js';
import { Supervisor } from './supervisor.js';
import type { SupervisorStopReport } from './supervisor-stop-report.js';

/** A child that answers `stop()` at the deadline it is given, or after 5 s without one. */
function slowChild(name: string): FakeChild {
  return new FakeChild(name, { onStop: 'abandon', defaultTimeoutMs: 5_000 });
}

/** Whether `promise` has settled after `ms` more of fake time. */
async function settledWithin(
  promise: Promise<SupervisorStopReport>,
  ms: number,
): Promise<SupervisorStopReport | undefined> {
  let report: SupervisorStopReport | undefined;
  void promise.then((settled) => (report = settled));
  await vi.advanceTimersByTimeAsync(ms);
  return report;
}

describe('Supervisor.stop({ timeoutMs })', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('caps the stop of a child whose stopChild() is already under way', async () => {
    const supervisor = new Supervisor({ name: 'app' });
    supervisor.add(slowChild('slow'));
    supervisor.start();
    void supervisor.stopChild('slow');
    await vi.advanceTimersByTimeAsync(1);

    const report = await settledWithin(supervisor.stop({ timeoutMs: 100 }), 250);

    expect(report?.children).toEqual([
      expect.objectContaining({ name: 'slow', kind: 'timed-out' }),
    ]);
  });

  it('waits for a removal under way only within its budget', async () => {
    const supervisor = new Supervisor({ name: 'app' });
    supervisor.add(slowChild('slow'));
    supervisor.add(new FakeChild('fast'));
    supervisor.start();
    const removal = supervisor.remove('slow');
    await vi.advanceTimersByTimeAsync(1);

    const report = await settledWithin(supervisor.stop({ timeoutMs: 100 }), 250);

    expect(report?.children).toEqual([expect.objectContaining({ name: 'fast', kind: 'stopped' })]);
    // The removal goes on by its own deadline: the slow child answers after its 5 s.
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(removal).resolves.toMatchObject({ name: 'slow', kind: 'stopped' });
  });

  it('caps a stop made while it gives up, stopping a slow child', async () => {
    const supervisor = new Supervisor({
      name: 'app',
      intensity: { maxRestarts: 0, withinMs: 1_000 },
    });
    const failing = new FakeChild('failing');
    supervisor.add(slowChild('slow'));
    supervisor.add(failing);
    supervisor.start();
    failing.fail(); // past its intensity: it gives up, stopping "slow" within its own 5 s
    await vi.advanceTimersByTimeAsync(1);
    expect(supervisor.status().state.kind).toBe('giving-up');

    const report = await settledWithin(supervisor.stop({ timeoutMs: 100 }), 250);

    expect(report?.children).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'slow', kind: 'timed-out' })]),
    );
    expect(supervisor.status().state.kind).toBe('stopped');
  });
});
