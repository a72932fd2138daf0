import { Logger } from '@nestjs/common';

import type { GiveUpReport } from './stage-module-options.js';

const logger = new Logger('Stage');

/**
 * The default shutdown of the `shutdown` give-up policy: sends `SIGTERM` to this process.
 *
 * With `app.enableShutdownHooks()`, Nest handles the signal by closing the application (every
 * group stops in its provider's destroy phase) and then ends the process. Without it, Node's
 * default action ends the process at once, skipping every shutdown hook; Stage warns first.
 */
export function shutdownBySignal(report: GiveUpReport): void {
  if (process.listenerCount('SIGTERM') === 0) {
    logger.warn(
      `"${report.child}" gave up and the application shuts down, but nothing handles SIGTERM: ` +
        `the process ends without running its shutdown hooks. Call ` +
        `app.enableShutdownHooks() to close it gracefully.`,
    );
  }
  process.kill(process.pid, 'SIGTERM');
}
