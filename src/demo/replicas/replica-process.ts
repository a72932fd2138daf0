import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

import type { ReplicaCounters } from './replica-counters.js';
import { isReplicaMessage, type ReplicaCommand, type ReplicaMessage } from './replica-protocol.js';

/** How to start a replica's process: its entry point and the Node options it needs. */
export interface ReplicaLaunch {
  /** The replica's entry point: `replica-main.js` (compiled) or `.ts` with a loader. */
  readonly entry: string;
  /** Node options, for example `--import` of a TypeScript loader; default none. */
  readonly execArgv?: readonly string[];
}

/** Options of {@link ReplicaProcess.start}. */
export interface ReplicaStartOptions extends ReplicaLaunch {
  /** The replica's number, from 1, for messages. */
  readonly replica: number;
  /** Variables added to the demo's environment (see `replicaEnvironment`). */
  readonly env: Readonly<Record<string, string>>;
  /** Where the replica's output goes, one line at a time, prefixed with its number. */
  readonly output: (line: string) => void;
  /** How long the replica may take to start, in ms. */
  readonly readyTimeoutMs: number;
}

/** A replica that started: where it listens and its consumer name in the Redis group. */
export interface ReplicaReady {
  readonly url: string;
  readonly consumer: string;
}

/**
 * Where a replica's process is, as the demo sees it: `running` until it exits; `exited` with its
 * code, or the signal that ended it.
 */
type ProcessState =
  | { readonly kind: 'running' }
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: string | null };

/**
 * The demo's handle on one replica process (`replica-main`): started with `fork` and an IPC
 * channel, it reports when it is ready and its counters as it runs; the demo closes it gracefully
 * or kills it with `SIGKILL`.
 *
 * - **Failure**: a replica that exits or reports a failure before it is ready rejects `ready`
 *   with its last output; one that does not close within the deadline is killed.
 * - **Cleanup**: {@link kill} is safe to call at any time, also after the process has exited.
 */
export class ReplicaProcess {
  /** Resolves once the replica listens; rejects if it fails or exits first. */
  readonly ready: Promise<ReplicaReady>;
  /** The replica's number, from 1. */
  readonly replica: number;
  /** The process; its IPC channel carries {@link ReplicaMessage}s and {@link ReplicaCommand}s. */
  private readonly child: ChildProcess;
  /** Set when the process exits; never goes back. */
  private state: ProcessState = { kind: 'running' };
  /** The replica's last counters, from its periodic reports or its final one. */
  private counters: ReplicaCounters | undefined = undefined;
  /** The final counters, once the replica says it closed. */
  private closedWith: ReplicaCounters | undefined = undefined;
  /** The last lines of its output, for error messages. */
  private readonly tail: string[] = [];
  /** Resolves when the process exits. */
  private readonly exited: Promise<void>;

  private constructor(options: ReplicaStartOptions) {
    const { replica, entry, execArgv = [], env, output, readyTimeoutMs } = options;
    this.replica = replica;
    this.child = fork(entry, [], {
      execArgv: [...execArgv],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.tail.push(line);
        if (this.tail.length > 20) this.tail.shift();
        output(`[replica ${replica}] ${line}`);
      });
    }
    this.exited = once(this.child, 'exit').then(([code, signal]) => {
      this.state = { kind: 'exited', code: code as number | null, signal: signal as string | null };
    });
    this.ready = this.awaitReady(readyTimeoutMs);
    this.ready.catch(() => undefined);
    this.child.on('message', (message: unknown) => {
      if (!isReplicaMessage(message)) return;
      if (message.kind === 'counters') this.counters = message.counters;
      if (message.kind === 'closed') this.closedWith = this.counters = message.counters;
    });
  }

  /** Starts a replica's process. Never throws: a replica that cannot start rejects `ready`. */
  static start(options: ReplicaStartOptions): ReplicaProcess {
    return new ReplicaProcess(options);
  }

  /** The replica's last counters: its final ones once closed, else its last periodic report. */
  get lastCounters(): ReplicaCounters | undefined {
    return this.counters;
  }

  /** Whether the process has exited, and how. */
  get exit(): ProcessState {
    return this.state;
  }

  /**
   * Closes the replica's application gracefully and waits for its process to exit.
   *
   * @returns Its final counters.
   * @throws (rejects) Error when it does not close within `timeoutMs` (it is then killed), or
   * exits without its final counters.
   */
  async close(timeoutMs: number): Promise<ReplicaCounters> {
    if (this.state.kind === 'running' && this.child.connected) {
      this.child.send({ kind: 'close' } satisfies ReplicaCommand);
    }
    const timedOut = await this.exitWithin(timeoutMs);
    if (timedOut) {
      await this.kill();
      throw new Error(`Replica ${this.replica} did not close within ${timeoutMs} ms; killed.`);
    }
    if (this.closedWith === undefined) {
      throw new Error(
        `Replica ${this.replica} exited (${this.describeExit()}) without closing:\n` +
          this.tail.join('\n'),
      );
    }
    return this.closedWith;
  }

  /** Kills the process with `SIGKILL` (if it still runs) and waits for it to exit. */
  async kill(): Promise<void> {
    if (this.state.kind === 'running') this.child.kill('SIGKILL');
    await this.exited;
  }

  private awaitReady(timeoutMs: number): Promise<ReplicaReady> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(this.startError(`did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onMessage = (message: unknown): void => {
        if (!isReplicaMessage(message)) return;
        if (message.kind === 'ready') settle(() => resolve(readyOf(message)));
        if (message.kind === 'failed') {
          settle(() =>
            reject(new Error(`Replica ${this.replica} failed to start: ${message.message}`)),
          );
        }
      };
      const onExit = (): void =>
        settle(() => reject(this.startError('exited before it was ready')));
      const settle = (action: () => void): void => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        action();
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  /** Whether the process failed to exit within `timeoutMs`. */
  private async exitWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const timedOut = await Promise.race([this.exited.then(() => false), deadline]);
    clearTimeout(timer);
    return timedOut;
  }

  private startError(what: string): Error {
    return new Error(`Replica ${this.replica} ${what}. Its last output:\n${this.tail.join('\n')}`);
  }

  private describeExit(): string {
    if (this.state.kind === 'running') return 'still running';
    return this.state.signal !== null ? `signal ${this.state.signal}` : `code ${this.state.code}`;
  }
}

function readyOf(message: Extract<ReplicaMessage, { kind: 'ready' }>): ReplicaReady {
  return { url: message.url, consumer: message.consumer };
}
