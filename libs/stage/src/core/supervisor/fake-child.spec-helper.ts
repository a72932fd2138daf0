import type { RestartPolicy } from '../group/restart-policy.js';
import type { StopOptions, StopReport } from '../group/stop-report.js';
import type { ChildParent, SupervisedChild } from './child.js';

/** How a fake child answers `stop()`. */
export type FakeStopBehaviour =
  /** Settles at once (or after `stopDelayMs`) with a clean report. */
  | 'clean'
  /** Ignores its signal: resolves at its deadline, reporting one abandoned task. */
  | 'abandon'
  /** Breaks the contract: `stop()` never resolves. */
  | 'hang';

export interface FakeChildOptions {
  readonly restart?: RestartPolicy;
  readonly onStop?: FakeStopBehaviour;
  /** How long a clean stop takes; default 0 (resolves on the next microtask). */
  readonly stopDelayMs?: number;
  /** The deadline used by `abandon` when `stop()` is given none; default 5,000. */
  readonly defaultTimeoutMs?: number;
  /** A shared log of `start:<name>` and `stop:<name>` entries, to check ordering across children. */
  readonly log?: string[];
}

/**
 * A hand-driven {@link SupervisedChild} for supervisor tests: `fail()` and `complete()` make it
 * exit on its own; its stop behaviour is chosen per child. Test-only.
 */
export class FakeChild implements SupervisedChild {
  readonly restart: RestartPolicy;
  parent: ChildParent | undefined;
  /** Whether a run is in progress (started, not exited, not stopped). */
  running = false;
  starts = 0;
  /** The `timeoutMs` of each `stop()` call, in order. */
  readonly stopTimeouts: (number | undefined)[] = [];
  onStop: FakeStopBehaviour;
  readonly #options: FakeChildOptions;
  #stopping: Promise<StopReport> | undefined;

  constructor(
    readonly name: string,
    options: FakeChildOptions = {},
  ) {
    this.#options = options;
    this.restart = options.restart ?? 'on-failure';
    this.onStop = options.onStop ?? 'clean';
  }

  get path(): readonly string[] {
    return this.parent === undefined ? [this.name] : [...this.parent.path, this.name];
  }

  setParent(parent: ChildParent | undefined): void {
    this.parent = parent;
  }

  start(): void {
    this.#options.log?.push(`start:${this.name}`);
    this.starts += 1;
    this.running = true;
    this.#stopping = undefined;
  }

  stop(options?: StopOptions): Promise<StopReport> {
    this.stopTimeouts.push(options?.timeoutMs);
    if (this.#stopping !== undefined) return this.#stopping;
    this.#options.log?.push(`stop:${this.name}`);
    this.running = false;
    this.#stopping = this.#answerStop(options?.timeoutMs);
    return this.#stopping;
  }

  /** Exits on its own with a failure. */
  fail(error: unknown = new Error(`${this.name} failed`)): void {
    this.#exit();
    this.parent?.childExited(this, { kind: 'failed', error: error as Error });
  }

  /** Exits on its own, completed. */
  complete(): void {
    this.#exit();
    this.parent?.childExited(this, { kind: 'completed' });
  }

  #exit(): void {
    if (!this.running) throw new Error(`fake child "${this.name}" is not running`);
    this.running = false;
  }

  #answerStop(timeoutMs: number | undefined): Promise<StopReport> {
    const attempt = this.starts;
    switch (this.onStop) {
      case 'hang':
        return new Promise<StopReport>(() => {});
      case 'abandon':
        return new Promise<StopReport>((resolve) =>
          setTimeout(
            () => resolve({ settled: 0, abandoned: [{ index: 0, attempt }], clean: false }),
            timeoutMs ?? this.#options.defaultTimeoutMs ?? 5_000,
          ),
        );
      case 'clean': {
        const report: StopReport = { settled: 1, abandoned: [], clean: true };
        const delay = this.#options.stopDelayMs ?? 0;
        if (delay === 0) return Promise.resolve(report);
        return new Promise<StopReport>((resolve) => setTimeout(() => resolve(report), delay));
      }
    }
  }
}

/** Lets every pending promise callback run (no timers). */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
