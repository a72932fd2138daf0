import 'reflect-metadata';

import { DEMO_USAGE, type DemoOptions, DemoUsageError, readDemoOptions } from './demo-options.js';
import { runInMemory } from './run-in-memory.js';

/**
 * `npm run demo`: drives the demo application with real HTTP load while its workers crash, and
 * prints what happened. In memory by default (see `runInMemory`); with `--redis`, replicas of the
 * application share the second degree's channel on Redis (see `runReplicas`, loaded only then,
 * so that the default run never loads a Redis client). Exits 0 only when the run is coherent, 1
 * when it is not or the demo failed, 2 for a bad flag.
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

  const problems =
    options.mode.kind === 'redis'
      ? await (await import('./replicas/run-replicas.js')).runReplicas(options, options.mode)
      : await runInMemory(options);

  if (problems.length > 0) {
    console.error(`\nThe run is NOT coherent:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  console.log(
    '\nThe run is coherent: every request was answered, every crash was healed or reported, and ' +
      'nothing was lost.',
  );
  return 0;
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
