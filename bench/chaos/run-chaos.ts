import { parseArgs } from 'node:util';
import { runChaos } from './chaos-engine.js';
import { formatChaosReport } from './chaos-report.js';

/**
 * `npm run chaos`: a seeded chaos run of about two minutes over at least a million messages.
 *
 * Usage: `node --expose-gc dist/bench/chaos/run-chaos.js [--seed N] [--messages N]
 * [--duration-ms N]`. Prints the figures; exits 1 on any violation, 2 on bad arguments.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      messages: { type: 'string', default: '1000000' },
      'duration-ms': { type: 'string', default: '110000' },
    },
  });
  const seed = Number(values.seed);
  const messages = Number(values.messages);
  const durationMs = Number(values['duration-ms']);
  console.log(`chaos: seed ${seed}, ${messages} messages, at most ${durationMs} ms of sending`);

  const report = await runChaos({
    seed,
    messages,
    durationMs,
    onProgress: (line) => console.log(line),
  });
  console.log(formatChaosReport(report));
  if (report.messagesSent < messages) {
    console.log(`chaos: only ${report.messagesSent} of ${messages} messages fit in the duration`);
  }
  return report.violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
