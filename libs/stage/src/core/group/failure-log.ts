import type { GroupEvent, GroupListener } from './group-events.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { messageOf, stackOf } from '../errors/thrown-value-error.js';
import { countOf } from '../util/count-of.js';
import { RepeatLog } from '../util/repeat-log.js';

/**
 * The least a logger must offer. Nest's `Logger` fits as is; so does `console` (whose `error`
 * prints the stack as a second argument).
 */
export interface GroupLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}

/** Options of {@link attachGroupLog}. */
export interface GroupLogOptions {
  /**
   * How long repeated failures of the group are counted before one summary line, in ms; default
   * 5,000. The first failure after a quiet window is always logged in full, with its stack.
   */
  readonly windowMs?: number;
}

/** Anything that emits group events: a `TaskGroup`, or a test double. */
export interface GroupEventSource {
  on(listener: GroupListener): () => void;
}

const DEFAULT_WINDOW_MS = 5_000;

/**
 * Logs a group's events, so that a restart storm cannot flood the log.
 *
 * - The first task failure after a quiet window is logged at error level with its stack; later
 *   failures within the window (`windowMs`, default 5 s) are only counted, and one warning per
 *   window sums them up: `group "x": 37 more failures in the last 5 s, last: <message>`. The
 *   window goes on while failures keep coming and closes after a window without any.
 * - A throwing listener or hook (`hook-failed`) is logged the same way, counted separately.
 * - A give-up is always logged at error level, with the give-up error's stack, after flushing
 *   any pending summary.
 * - A stop is logged at log level, or at warn level naming the abandoned tasks.
 * - Starts, completions and restarts are not logged; subscribe to the group for those.
 *
 * The window timer is `unref`'d: it never keeps the process alive. A logger that throws is
 * reported by the group as `hook-failed` (and not logged again). An error whose `message` or
 * `stack` throws when read is still logged, with a placeholder message and no stack.
 *
 * @returns A function that detaches the log, first writing any pending summary.
 * @throws {InvalidOptionError} When `windowMs` is not a number > 0 or `logger` lacks a method.
 *
 * @example
 * const detach = attachGroupLog(group, new Logger('Mailer'));
 */
export function attachGroupLog(
  group: GroupEventSource,
  logger: GroupLogger,
  options?: GroupLogOptions,
): () => void {
  const windowMs = options?.windowMs ?? DEFAULT_WINDOW_MS;
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs <= 0) {
    throw new InvalidOptionError('attachGroupLog', 'windowMs', windowMs, 'a finite number > 0');
  }
  for (const method of ['log', 'warn', 'error'] as const) {
    if (typeof logger?.[method] !== 'function') {
      throw new InvalidOptionError(
        'attachGroupLog',
        `logger.${method}`,
        logger?.[method],
        'a function',
      );
    }
  }

  const failures = new RepeatLog(logger, windowMs, { one: 'failure', many: 'failures' });
  const hookFailures = new RepeatLog(logger, windowMs, {
    one: 'hook failure',
    many: 'hook failures',
  });
  const unsubscribe = group.on((event) => describe(event));
  let attached = true;

  function describe(event: GroupEvent): void {
    const name = `group "${event.path.join('/')}"`;
    switch (event.type) {
      case 'failed': {
        const task = `task ${event.index} (attempt ${event.attempt})`;
        failures.record(name, event.error, `${name}: ${task} failed: ${messageOf(event.error)}`);
        return;
      }
      case 'hook-failed':
        hookFailures.record(
          name,
          event.error,
          `${name}: ${event.hook} threw: ${messageOf(event.error)}`,
        );
        return;
      case 'gave-up':
        failures.flush();
        // The error's message names the group already.
        logger.error(messageOf(event.error), stackOf(event.error));
        return;
      case 'stopped': {
        failures.flush();
        const { abandoned } = event.report;
        if (abandoned.length === 0) {
          logger.log(`${name} stopped.`);
          return;
        }
        const tasks = abandoned.map((task) => `${task.index} (attempt ${task.attempt})`);
        const advice =
          abandoned.length === 1
            ? 'It keeps running unobserved; make it honour ctx.signal.'
            : 'They keep running unobserved; make them honour ctx.signal.';
        logger.warn(
          `${name} stopped, abandoning ${countOf(abandoned.length, 'task')} that did not settle ` +
            `in time: ${tasks.join(', ')}. ${advice}`,
        );
        return;
      }
      default:
        return;
    }
  }

  return () => {
    if (!attached) return;
    attached = false;
    unsubscribe();
    failures.close();
    hookFailures.close();
  };
}
