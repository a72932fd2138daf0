import { describe, expect, it } from 'vitest';
import type { StopReport } from '../group/stop-report.js';
import { isSupervisorStopReport, summarizeChildStops } from './supervisor-stop-report.js';

const clean: StopReport = { settled: 2, abandoned: [], clean: true };

describe('summarizeChildStops', () => {
  it('sums the settled tasks and is clean when every child stopped cleanly', () => {
    const report = summarizeChildStops([
      { name: 'b', path: ['app', 'b'], kind: 'stopped', report: clean },
      { name: 'a', path: ['app', 'a'], kind: 'stopped', report: clean },
    ]);

    expect(report).toMatchObject({ settled: 4, abandoned: [], clean: true });
    expect(report.children.map((child) => child.name)).toEqual(['b', 'a']);
  });

  it("lists abandoned tasks with their group's path, through nested supervisors", () => {
    const nested = summarizeChildStops([
      {
        name: 'deep',
        path: ['app', 'nested', 'deep'],
        kind: 'stopped',
        report: { settled: 0, abandoned: [{ index: 1, attempt: 3 }], clean: false },
      },
    ]);

    const report = summarizeChildStops([
      { name: 'nested', path: ['app', 'nested'], kind: 'stopped', report: nested },
      {
        name: 'group',
        path: ['app', 'group'],
        kind: 'stopped',
        report: { settled: 1, abandoned: [{ index: 0, attempt: 1 }], clean: false },
      },
    ]);

    expect(report.abandoned).toEqual([
      { path: ['app', 'nested', 'deep'], index: 1, attempt: 3 },
      { path: ['app', 'group'], index: 0, attempt: 1 },
    ]);
    expect(report.clean).toBe(false);
  });

  it('is not clean when a child timed out or its stop failed', () => {
    expect(
      summarizeChildStops([{ name: 'a', path: ['a'], kind: 'timed-out', timeoutMs: 10 }]).clean,
    ).toBe(false);
    expect(
      summarizeChildStops([{ name: 'a', path: ['a'], kind: 'failed', error: new Error('x') }])
        .clean,
    ).toBe(false);
  });
});

describe('isSupervisorStopReport', () => {
  it('tells a supervisor report from a group report', () => {
    expect(isSupervisorStopReport(summarizeChildStops([]))).toBe(true);
    expect(isSupervisorStopReport(clean)).toBe(false);
  });
});
