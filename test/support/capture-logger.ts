import type { LoggerService } from '@nestjs/common';

/** One line written through Nest's `Logger`. */
export interface LogEntry {
  readonly level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  readonly message: string;
  /** The logger's context: a class name, a group name or `Stage`. */
  readonly context: string | undefined;
  /** The stack passed with an error, if any. */
  readonly stack: string | undefined;
}

/**
 * A Nest logger that records every line instead of printing it, so tests can assert what was
 * logged and under which context.
 */
export class CaptureLogger implements LoggerService {
  readonly entries: LogEntry[] = [];

  log(message: unknown, ...params: unknown[]): void {
    this.record('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.record('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.record('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.record('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.record('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.record('fatal', message, params);
  }

  /** The entries logged under `context`, optionally of one level. */
  under(context: string, level?: LogEntry['level']): LogEntry[] {
    return this.entries.filter(
      (entry) => entry.context === context && (level === undefined || entry.level === level),
    );
  }

  private record(level: LogEntry['level'], message: unknown, params: unknown[]): void {
    const strings = params.filter((param): param is string => typeof param === 'string');
    const context = strings.length > 0 ? strings[strings.length - 1] : undefined;
    const stack = level === 'error' && strings.length > 1 ? strings[0] : undefined;
    const text = message instanceof Error ? (message.stack ?? message.message) : String(message);
    this.entries.push({ level, message: text, context, stack });
  }
}
