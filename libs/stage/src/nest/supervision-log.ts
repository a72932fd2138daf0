import { messageOf, stackOf } from '../core/errors/thrown-value-error.js';
import type { Logger } from '@nestjs/common';

import type { SupervisorEvent } from '../core/supervisor/supervisor-events.js';

/**
 * Logs what a supervisor of the application's tree decides: restarts of children (warn), a
 * supervisor giving up (error), a child that did not stop cleanly during a restart (warn), and
 * user code that threw (error). The root's own decisions are logged by the runtime, which knows
 * the `onGiveUp` policy. Starts, adds and clean stops are not logged: follow `events$` for those.
 */
export function logSupervisorEvent(logger: Logger, event: SupervisorEvent): void {
  switch (event.type) {
    case 'restarting': {
      const children = event.children.map((child) => `"${child}"`).join(', ');
      const wait = event.delayMs > 0 ? ` in ${formatDelay(event.delayMs)}` : '';
      logger.warn(
        `Supervisor "${event.path.join('/')}" restarts ${children}${wait} (${event.strategy}) ` +
          `after "${event.child}" exited.`,
      );
      return;
    }
    case 'intensity-exceeded':
      logger.error(messageOf(event.error), stackOf(event.error));
      return;
    case 'child-stopped':
      if (event.reason === 'restart') {
        logger.warn(
          `Supervisor "${event.path.join('/')}" restarted "${event.child}", which did not stop ` +
            `cleanly (${event.report.kind}).`,
        );
      }
      return;
    case 'hook-failed':
      logger.error(
        `Supervisor "${event.path.join('/')}": ${event.hook} threw: ${messageOf(event.error)}`,
        event.error.stack,
      );
      return;
    default:
      return;
  }
}

/** A wait for humans: `250 ms`, `1.5 s`, `5 min`. */
export function formatDelay(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1_000) return `${Math.round(ms / 100) / 10} s`;
  return `${ms} ms`;
}
