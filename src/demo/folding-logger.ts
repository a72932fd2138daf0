import { ConsoleLogger, type LoggerService } from '@nestjs/common';

/** The levels the demo prints; the others (log, debug, verbose) are dropped. */
type PrintedLevel = 'fatal' | 'error' | 'warn';

/** One kind of line: the first line of the one printed, and how many like it were not. */
interface LineKind {
  readonly level: PrintedLevel;
  readonly sample: string;
  folded: number;
}

/**
 * The demo's logger: Nest's console logger at the levels `fatal`, `error` and `warn`, printing
 * each kind of line once. A line like one already printed (same level, same context, same text
 * once numbers are set aside) is only counted, and {@link folded} sums the counts up at the end.
 *
 * Stage already sums up repeated failures of a group or a channel. What repeats in the demo is
 * what the pipeline does on purpose at every crash of its auditor: the group gives up (an error,
 * with its stack) and the supervisor restarts both children (a warning). Printed every time, those
 * lines would bury the rest of the output.
 */
export class FoldingLogger implements LoggerService {
  /** Prints the lines that are not folded. */
  private readonly console = new ConsoleLogger();
  /** Every kind of line printed so far, by level, context and text without numbers. */
  private readonly kinds = new Map<string, LineKind>();

  log(): void {}

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** One sentence per kind of line that was folded, saying how many times; empty when none. */
  folded(): string[] {
    return [...this.kinds.values()]
      .filter(({ folded }) => folded > 0)
      .map(({ level, sample, folded }) => `${folded} more ${level} lines like: ${sample}`);
  }

  private write(level: PrintedLevel, message: unknown, params: readonly unknown[]): void {
    const text = String(message);
    const context = params.at(-1);
    const key = `${level}|${typeof context === 'string' ? context : ''}|${withoutNumbers(text)}`;
    const kind = this.kinds.get(key);
    if (kind !== undefined) {
      kind.folded += 1;
      return;
    }
    this.kinds.set(key, { level, sample: text.split('\n', 1)[0] ?? '', folded: 0 });
    this.console[level](message, ...params);
  }
}

function withoutNumbers(text: string): string {
  return text.replace(/\d+(?:\.\d+)?/g, '#');
}
