import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MachineInfo } from './machine.js';
import type { Figure, ResultRow, Target } from './result-row.js';

/** Everything one `npm run bench` measured, as written to `bench/results/latest.json`. */
export interface BenchReport {
  readonly generatedAt: string;
  readonly durationMs: number;
  readonly machine: MachineInfo;
  readonly rows: readonly ResultRow[];
}

/** Renders the report as a plain-text table: scenario, Stage, baseline, ratio, target, met. */
export function formatTable(report: BenchReport): string {
  const header = ['scenario', 'compared with', 'Stage', 'baseline', 'ratio', 'target', 'met'];
  const lines = report.rows.map((row) => {
    const outcome = row.outcome;
    const target = formatTarget(row.target);
    switch (outcome.kind) {
      case 'measured':
        return [
          row.scenario,
          row.comparedWith,
          formatFigure(outcome.stage),
          formatFigure(outcome.baseline),
          formatRatio(outcome.ratio),
          target,
          (outcome.met ? 'yes' : 'NO') + (outcome.note === undefined ? '' : ` (${outcome.note})`),
        ];
      case 'baseline-only':
        return [
          row.scenario,
          row.comparedWith,
          '-',
          formatFigure(outcome.baseline),
          '-',
          target,
          `not run: ${outcome.reason}`,
        ];
      case 'skipped':
        return [
          row.scenario,
          row.comparedWith,
          '-',
          '-',
          '-',
          target,
          `skipped: ${outcome.reason}`,
        ];
      case 'failed':
        return [
          row.scenario,
          row.comparedWith,
          '-',
          '-',
          '-',
          target,
          `FAILED: ${clip(outcome.error)}`,
        ];
    }
  });

  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column].length)),
  );
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('-|-');

  const machine = report.machine;
  return [
    `Stage benchmarks, ${report.generatedAt}, ${(report.durationMs / 1000).toFixed(0)} s`,
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`,
    '',
    render(header),
    rule,
    ...lines.map(render),
  ].join('\n');
}

/** Writes the report as JSON to `file`, creating its folder. */
export async function writeReport(file: string, report: BenchReport): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, jsonReplacer, 2)}\n`);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** Keeps a table cell short; the JSON has the full text. */
function clip(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 90 ? `${line.slice(0, 87)}...` : line;
}

function formatFigure(figure: Figure): string {
  return `${formatNumber(figure.value)} ${figure.unit}`;
}

function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  return ratio >= 10 ? `${ratio.toFixed(0)}x` : ratio.toFixed(2);
}

function formatTarget(target: Target): string {
  return target.kind === 'ratio-at-least'
    ? `>= ${target.value >= 2 ? `${target.value}x` : target.value}`
    : `<= ${formatNumber(target.value)} ${target.unit}`;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}
