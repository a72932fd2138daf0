import { messageOf } from '../errors/thrown-value-error.js';
import { stackOnce } from './stack-once.js';
import type { GroupLogger } from '../group/failure-log.js';

/**
 * Logs the first of a series of repeated errors in full (with its stack, unless a line printed it
 * already: see `stackOnce`) and sums up the rest once per window.
 * Its lifecycle: quiet (no window open) or counting (a window open, `#timer` set).
 */
export class RepeatLog {
  readonly #logger: GroupLogger;
  readonly #windowMs: number;
  /** What is counted, in the summary line: one, and several (`failure`, `failures`). */
  readonly #what: { readonly one: string; readonly many: string };
  /** Set while a window is open; `unref`'d. */
  #timer: NodeJS.Timeout | undefined = undefined;
  /** Errors counted in the open window and not yet summed up. */
  #count = 0;
  /** The name of the group and the message of the last counted error. */
  #last = { name: '', message: '' };

  constructor(
    logger: GroupLogger,
    windowMs: number,
    what: { readonly one: string; readonly many: string },
  ) {
    this.#logger = logger;
    this.#windowMs = windowMs;
    this.#what = what;
  }

  record(name: string, error: Error, line: string): void {
    if (this.#timer !== undefined) {
      this.#count++;
      this.#last = { name, message: messageOf(error) };
      return;
    }
    this.#open();
    this.#logger.error(line, stackOnce(error));
  }

  /** Writes the pending summary, if any; the window stays as it is. */
  flush(): void {
    if (this.#count === 0) return;
    const count = this.#count;
    this.#count = 0;
    const seconds = Number((this.#windowMs / 1000).toFixed(3));
    this.#logger.warn(
      `${this.#last.name}: ${count} more ${count === 1 ? this.#what.one : this.#what.many} in ` +
        `the last ${seconds} s, ` +
        `last: ${this.#last.message}`,
    );
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flush();
  }

  #open(): void {
    this.#timer = setTimeout(() => this.#windowEnded(), this.#windowMs);
    this.#timer.unref?.();
  }

  #windowEnded(): void {
    this.#timer = undefined;
    if (this.#count === 0) return;
    this.#open();
    try {
      this.flush();
    } catch {
      // The logger itself threw, in a timer: there is nowhere left to report it.
    }
  }
}
