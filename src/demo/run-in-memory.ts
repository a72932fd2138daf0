import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { StageRegistry } from 'nestjs-stage';

import { AppModule } from '../app.module.js';
import { incoherences } from './coherence.js';
import { DEGREE_INFO, type Degree } from './degree.js';
import { readCounters } from './degree-counters.js';
import { type DegreeReport, degreeReport } from './degree-report.js';
import type { DemoOptions } from './demo-options.js';
import { FoldingLogger } from './folding-logger.js';
import { generateLoad } from './load-generator.js';
import { pipelineIncoherences } from './pipeline-coherence.js';
import { readPipelineCounters, readPipelineRestarts } from './pipeline-counters.js';
import { type PipelineReport, pipelineReport } from './pipeline-report.js';
import { pipelineSummary } from './pipeline-summary.js';
import { windDownPipeline } from './pipeline-wind-down.js';
import { renderTable } from './render-table.js';
import { summaryTable } from './summary-table.js';
import { renderSupervisionTree } from './supervision-tree.js';

/** How long the auditor gets to audit the ticks left once the ticker is stopped, in ms. */
const WIND_DOWN_TIMEOUT_MS = 5_000;

/**
 * The pause between two ticks of the pipeline during the demo, in ms: short, so that its auditor
 * crashes several times during a run (under load the event loop stretches it anyway).
 */
const TICK_INTERVAL_MS = 5;

/**
 * The default demo, in memory: starts the demo application on a free port, drives each degree of
 * the adder with real HTTP load while the pipeline ticks meanwhile and every worker crashes at
 * the crash rate, prints the supervision tree, winds the pipeline down, closes the application
 * gracefully and prints the summary.
 *
 * @returns What is wrong with the run (see `incoherences` and `pipelineIncoherences`); empty when
 * it is coherent.
 * @throws (rejects) What booting or driving the application failed with; the application is
 * closed first.
 */
export async function runInMemory(options: DemoOptions): Promise<string[]> {
  const logger = new FoldingLogger();
  const { degrees, pipeline } = await drive(options, logger);

  const folded = logger.folded();
  if (folded.length > 0) {
    console.log('\nRepeated log lines, folded by the demo:');
    for (const line of folded) console.log(`  ${line}`);
  }
  const { header, rows } = summaryTable(degrees);
  console.log('\nSummary:');
  for (const line of renderTable(header, rows)) console.log(line);
  const pipelineTable = pipelineSummary(pipeline);
  for (const line of renderTable(pipelineTable.header, pipelineTable.rows)) console.log(line);

  return [...degrees.flatMap(incoherences), ...pipelineIncoherences(pipeline)];
}

/**
 * Starts the application, drives each degree in turn, prints the supervision tree, winds the
 * pipeline down and closes the application (also when driving fails).
 */
async function drive(
  options: DemoOptions,
  logger: FoldingLogger,
): Promise<{ degrees: DegreeReport[]; pipeline: PipelineReport }> {
  const { crashRate, seed, connections, durationSeconds } = options;
  const app = await NestFactory.create(
    AppModule.forRoot({ crashRate, seed, tickIntervalMs: TICK_INTERVAL_MS }),
    { logger },
  );
  try {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${listeningPort(app)}`;
    console.log(
      `The adder listens on ${base}. Crash rate ${crashRate}, seed ${seed}, ` +
        `${connections} connections, ${durationSeconds} s per degree.`,
    );
    console.log(
      'Meanwhile the pipeline runs: a ticker feeds an auditor through a Stage channel, under a ' +
        'one-for-all supervisor; its auditor crashes at the same rate, and each crash restarts both.',
    );

    const degrees: DegreeReport[] = [];
    for (const degree of options.degrees) {
      degrees.push(await driveDegree(app, base, degree, options));
    }

    console.log('\nSupervision tree, from StageRegistry.tree():');
    for (const line of renderSupervisionTree(app.get(StageRegistry).tree())) console.log(line);

    const pipeline = await windDown(app);
    return { degrees, pipeline };
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
    `  ${load.sent} requests sent for ${durationSeconds} s (the run took ${load.seconds} s, ` +
      `answering those in flight): ${load.correct} answered with the right sum; ` +
      `${report.counters.crashes} crashes injected.`,
  );
  return report;
}

/** Stops the ticker, lets the auditor audit what is left, and reports on the pipeline. */
async function windDown(app: INestApplication): Promise<PipelineReport> {
  const beforeWindDown = readPipelineRestarts(app);
  const windDown = await windDownPipeline(app, { timeoutMs: WIND_DOWN_TIMEOUT_MS });
  const report = pipelineReport(beforeWindDown, windDown, readPipelineCounters(app));

  console.log(
    `\nPipeline: the ticker was stopped (StageRegistry.stop) and the auditor ` +
      (windDown.drained
        ? `audited the ticks left in ${windDown.ms} ms.`
        : `did not audit the ticks left within ${windDown.ms} ms.`),
  );
  return report;
}

function listeningPort(app: INestApplication): number {
  const address: unknown = app.getHttpServer().address();
  return (address as AddressInfo).port;
}
