import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './harness/machine.js';
import { formatTable, writeReport, type BenchReport } from './harness/report.js';
import type { ResultRow } from './harness/result-row.js';
import type { RunSettings, Scenario } from './harness/scenario.js';
import { canCollectGarbage } from './harness/statistics.js';
import { ALL_SCENARIOS } from './scenarios/all-scenarios.js';

/**
 * `npm run bench`: measures every row of the DESIGN performance table side by side with its
 * baseline, prints the table and writes `bench/results/latest.json`.
 *
 * Usage: `node --expose-gc dist/bench/run.js [--quick] [scenario-id ...]`; a quick or partial run
 * writes `bench/results/partial.json.tmp` instead of `latest.json`. A missed target does
 * not fail the run; the exit code is non-zero only when a scenario could not run at all (a
 * skipped row, such as BullMQ without Redis, is not a failure).
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const settings: RunSettings = { quick: args.includes('--quick') };
  const wanted = args.filter((arg) => !arg.startsWith('--'));
  const unknown = wanted.filter((id) => !ALL_SCENARIOS.some((scenario) => scenario.id === id));
  if (unknown.length > 0) {
    const known = ALL_SCENARIOS.map((scenario) => scenario.id).join(', ');
    console.error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${known}.`);
    return 2;
  }
  if (!canCollectGarbage()) {
    console.warn('global.gc() is unavailable: run with --expose-gc for reliable memory figures.');
  }

  const selected = ALL_SCENARIOS.filter(
    (scenario) => wanted.length === 0 || wanted.includes(scenario.id),
  );
  const startedAt = Date.now();
  const rows: ResultRow[] = [];
  for (const scenario of selected) {
    const scenarioStart = Date.now();
    process.stdout.write(`${scenario.id} ... `);
    const row = await runScenario(scenario, settings);
    rows.push(row);
    console.log(`${row.outcome.kind} in ${((Date.now() - scenarioStart) / 1000).toFixed(1)} s`);
  }

  const report: BenchReport = {
    generatedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    machine: describeMachine(),
    rows,
  };
  console.log(`\n${formatTable(report)}\n`);

  // Only a full run replaces latest.json; a quick or partial one goes to a git-ignored file.
  const complete = !settings.quick && wanted.length === 0;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const name = complete ? 'latest.json' : 'partial.json.tmp';
  const file = path.resolve(here, '../../bench/results', name);
  await writeReport(file, report);
  console.log(`Written to ${path.relative(process.cwd(), file)}`);

  return rows.some((row) => row.outcome.kind === 'failed') ? 1 : 0;
}

async function runScenario(scenario: Scenario, settings: RunSettings): Promise<ResultRow> {
  const base = {
    id: scenario.id,
    scenario: scenario.scenario,
    comparedWith: scenario.comparedWith,
    target: scenario.target,
  };
  try {
    const result = await scenario.run(settings);
    return { ...base, outcome: result.outcome, details: result.details };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    return { ...base, outcome: { kind: 'failed', error: message }, details: { stack } };
  }
}

process.exitCode = await main();
