import 'reflect-metadata';

import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { StageRegistry } from 'nestjs-stage';

import { AppModule } from '../app.module.js';
import { incoherences } from './coherence.js';
import { DEGREE_INFO, type Degree } from './degree.js';
import { readCounters } from './degree-counters.js';
import { type DegreeReport, degreeReport } from './degree-report.js';
import { DEMO_USAGE, type DemoOptions, DemoUsageError, readDemoOptions } from './demo-options.js';
import { generateLoad } from './load-generator.js';
import { renderTable } from './render-table.js';
import { summaryTable } from './summary-table.js';
import { renderSupervisionTree } from './supervision-tree.js';

/**
 * `npm run demo`: starts the demo application on a free port, drives each degree of the adder
 * with real HTTP load while its workers crash, shuts the application down gracefully, and
 * prints what happened. Exits 0 only when the run is coherent (see `incoherences`), 1 when it is
 * not or the demo failed, 2 for a bad flag.
 */
async function main(): Promise<number> {
  let options: DemoOptions | 'help';
  try {
    options = readDemoOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (options === 'help') {
    console.log(DEMO_USAGE);
    return 0;
  }

  const reports = await drive(options);

  const { header, rows } = summaryTable(reports);
  console.log('\nSummary:');
  for (const line of renderTable(header, rows)) console.log(line);

  const problems = reports.flatMap(incoherences);
  if (problems.length > 0) {
    console.error(`\nThe run is NOT coherent:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  console.log(
    '\nThe run is coherent: every request was answered with the right sum, and every crash ' +
      'was healed.',
  );
  return 0;
}

/**
 * Starts the application, drives each degree in turn, prints the supervision tree and closes the
 * application (also when driving fails). Returns what each degree did.
 */
async function drive(options: DemoOptions): Promise<DegreeReport[]> {
  const { crashRate, seed, connections, durationSeconds } = options;
  const app = await NestFactory.create(AppModule.forRoot({ crashRate, seed }), {
    logger: ['fatal', 'error', 'warn'],
  });
  try {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${listeningPort(app)}`;
    console.log(
      `The adder listens on ${base}. Crash rate ${crashRate}, seed ${seed}, ` +
        `${connections} connections, ${durationSeconds} s per degree.`,
    );

    const reports: DegreeReport[] = [];
    for (const degree of options.degrees) {
      reports.push(await driveDegree(app, base, degree, options));
    }

    console.log('\nSupervision tree, from StageRegistry.tree():');
    for (const line of renderSupervisionTree(app.get(StageRegistry).tree())) console.log(line);
    return reports;
  } finally {
    console.log('\nClosing the application (app.close()).');
    await app.close();
  }
}

async function driveDegree(
  app: INestApplication,
  base: string,
  degree: Degree,
  { connections, durationSeconds, seed }: DemoOptions,
): Promise<DegreeReport> {
  const { path, summary } = DEGREE_INFO[degree];
  console.log(`\nDegree ${degree}: GET ${path}, through ${summary}.`);

  const load = await generateLoad({
    url: `${base}${path}`,
    durationMs: durationSeconds * 1000,
    connections,
    seed: seed + degree,
  });
  const report = degreeReport(degree, load, readCounters(app, degree, load.sent));

  console.log(
    `  ${load.sent} requests in ${load.seconds} s: ${load.correct} answered with the right sum; ` +
      `${report.counters.crashes} crashes injected.`,
  );
  return report;
}

function listeningPort(app: INestApplication): number {
  const address: unknown = app.getHttpServer().address();
  return (address as AddressInfo).port;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('The demo failed:', error);
    process.exitCode = 1;
  },
);
