import { Bench } from 'tinybench';
import type { Contender, OpenContender } from './contender.js';
import { collectGarbage, median } from './statistics.js';

/** How long and how often a pair of contenders is measured. */
export interface CompareOptions {
  /** Rounds of (Stage, baseline) measurements; the order of the two alternates per round. */
  readonly rounds: number;
  /** Timed batches per contender per round. */
  readonly batchesPerRound: number;
  /** Untimed batches per contender per round, run first. */
  readonly warmupBatches: number;
}

/** The throughput of one contender over all rounds. */
export interface MeasuredThroughput {
  readonly label: string;
  /** Median over rounds of each round's median batch throughput, in operations per second. */
  readonly opsPerSecond: number;
  /** Each round's median batch throughput, in operations per second. */
  readonly perRound: readonly number[];
  /** Relative margin of error of the batch latency in the last round, in percent (tinybench). */
  readonly lastRoundRme: number;
}

/** A side-by-side measurement of two contenders. */
export interface ThroughputComparison {
  readonly stage: MeasuredThroughput;
  readonly baseline: MeasuredThroughput;
  /** Median over rounds of `stage / baseline`, each ratio taken within one round. */
  readonly ratio: number;
  readonly ratiosPerRound: readonly number[];
}

/**
 * Measures two contenders side by side in the same process and reports their throughput ratio.
 *
 * Each round is one tinybench run holding both contenders, one batch per tinybench iteration
 * (tinybench's per-call overhead is then negligible against a batch of thousands of operations).
 * The order alternates between rounds, a full GC runs before each task (when `--expose-gc` is on),
 * and the ratio is taken within each round, so that drift (JIT tiering, heap growth, a noisy
 * neighbour) hits both sides alike; the reported ratio is the median of the per-round ratios.
 *
 * Both fixtures stay open across rounds and are closed at the end, also when a batch throws.
 */
export async function compareThroughput(
  stage: Contender,
  baseline: Contender,
  options: CompareOptions,
): Promise<ThroughputComparison> {
  const opened: OpenContender[] = [];
  try {
    const stageFixture = await stage.open();
    opened.push(stageFixture);
    const baselineFixture = await baseline.open();
    opened.push(baselineFixture);

    const stageRounds: number[] = [];
    const baselineRounds: number[] = [];
    const ratios: number[] = [];
    let stageRme = Number.NaN;
    let baselineRme = Number.NaN;

    for (let round = 0; round < options.rounds; round += 1) {
      const bench = new Bench({
        name: `${stage.label} vs ${baseline.label}, round ${round + 1}`,
        time: 0,
        iterations: options.batchesPerRound,
        warmup: options.warmupBatches > 0,
        warmupTime: 0,
        warmupIterations: options.warmupBatches,
        throws: true,
        setup: collectGarbage,
      });
      const entries: readonly [string, OpenContender][] = [
        ['stage', stageFixture],
        ['baseline', baselineFixture],
      ];
      const ordered = round % 2 === 0 ? entries : [...entries].reverse();
      for (const [name, fixture] of ordered) {
        bench.add(name, () => fixture.runBatch(), { async: true });
      }
      await bench.run();

      const stageResult = batchStatistics(bench, 'stage');
      const baselineResult = batchStatistics(bench, 'baseline');
      const stageOps = (stage.opsPerBatch * 1000) / stageResult.medianMs;
      const baselineOps = (baseline.opsPerBatch * 1000) / baselineResult.medianMs;
      stageRounds.push(stageOps);
      baselineRounds.push(baselineOps);
      ratios.push(stageOps / baselineOps);
      stageRme = stageResult.rme;
      baselineRme = baselineResult.rme;
    }

    return {
      stage: summarize(stage.label, stageRounds, stageRme),
      baseline: summarize(baseline.label, baselineRounds, baselineRme),
      ratio: median(ratios),
      ratiosPerRound: ratios,
    };
  } finally {
    for (const fixture of opened.reverse()) await fixture.close();
  }
}

function batchStatistics(bench: Bench, name: string): { medianMs: number; rme: number } {
  const task = bench.getTask(name);
  const result = task?.result;
  if (result === undefined || result.state !== 'completed') {
    const reason = result?.state === 'errored' ? result.error.message : result?.state;
    throw new Error(`Benchmark task "${name}" did not complete: ${String(reason)}.`);
  }
  return { medianMs: result.latency.p50, rme: result.latency.rme };
}

function summarize(label: string, perRound: number[], rme: number): MeasuredThroughput {
  return { label, opsPerSecond: median(perRound), perRound, lastRoundRme: rme };
}
