import { messageOf, stackOf, toError } from '../core/errors/thrown-value-error.js';
import type { Logger } from '@nestjs/common';

import type { RootHealth } from '../core/supervisor/root-health.js';
import type { RootGiveUpReport } from '../core/supervisor/root-supervisor-options.js';
import type { SupervisorEvent } from '../core/supervisor/supervisor-events.js';
import type { GroupHealth } from './group-info.js';
import type { ManagedGroup } from './managed-group.js';
import type { StageEvent } from './stage-events.js';
import type { ResolvedStageOptions } from './stage-module-options.js';
import { formatDelay } from './supervision-log.js';

/** What the root policy needs from the runtime. */
export interface RootPolicyDeps {
  readonly options: () => ResolvedStageOptions;
  /** Whether the application runs (not bootstrapping, not shutting down). */
  readonly running: () => boolean;
  readonly emit: (event: StageEvent) => void;
  readonly logger: Logger;
}

/**
 * The application's side of the root supervisor: turns the root's decisions into `root-*` events
 * and log lines, and carries out the `shutdown` give-up policy. The root itself (the core's
 * `RootSupervisor`) waits and restarts. Internal.
 */
export class RootPolicy {
  /** The last failure of each child of the root, for the root's decisions. */
  private readonly failures = new Map<string, Error>();
  /** Set once the `shutdown` callback has been invoked, so it runs at most once. */
  private shutdownRequested = false;

  constructor(private readonly deps: RootPolicyDeps) {}

  /** Turns the root's decisions into root events and log lines. */
  onRootEvent(event: SupervisorEvent): void {
    if (event.type === 'hook-failed') {
      this.deps.logger.error(`The root supervisor: ${event.hook} threw: ${messageOf(event.error)}`);
      return;
    }
    if (event.type === 'child-exited' && event.exit.kind === 'failed') {
      this.failures.set(event.child, event.exit.error);
      if (event.decision === 'shutdown') {
        const path = [...event.path, event.child];
        this.deps.emit({
          type: 'root-shutdown',
          child: event.child,
          path,
          error: event.exit.error,
        });
      }
      return;
    }
    if (event.type !== 'restarting') return;
    const error = this.failures.get(event.child);
    if (error === undefined) return;
    if (!this.deps.running()) {
      this.log(
        'warn',
        `"${event.child}" gave up while the application shuts down; it is not restarted.`,
      );
      return;
    }
    const path = [...event.path, event.child];
    const { delayMs, failures: giveUps } = event;
    this.deps.emit({
      type: 'root-restart-scheduled',
      child: event.child,
      path,
      error,
      delayMs,
      giveUps,
    });
    const again = giveUps === 1 ? 'gave up' : `gave up again (${giveUps} times in a row)`;
    this.log(
      'warn',
      `"${event.child}" ${again}; the application reports unhealthy until Stage restarts it in ` +
        `${formatDelay(delayMs)}.`,
    );
  }

  /** The `shutdown` policy: called by the root with the first failure of its run. */
  handOver(report: RootGiveUpReport): void {
    const policy = this.deps.options().onGiveUp;
    if (policy.action !== 'shutdown') return;
    if (!this.deps.running()) {
      this.log(
        'warn',
        `"${report.child}" gave up while the application shuts down; it is not restarted.`,
      );
      return;
    }
    if (this.shutdownRequested) return;
    this.shutdownRequested = true;
    this.log('error', `"${report.child}" gave up; shutting the application down.`);
    const giveUp = { child: report.child, path: report.path, error: report.error };
    void Promise.resolve()
      .then(() => policy.shutdown(giveUp))
      .catch((thrown: unknown) => {
        const failure = toError(thrown);
        this.deps.logger.error(
          `The onGiveUp shutdown callback failed: ${messageOf(failure)}`,
          stackOf(failure),
        );
      });
  }

  private log(level: 'log' | 'warn' | 'error', message: string): void {
    if (this.deps.options().logging) this.deps.logger[level](message);
  }
}

/**
 * A group's health: from the root's view of the subtree it belongs to (its module, or itself when
 * spawned), then from its own state.
 */
export function groupHealth(health: RootHealth, managed: ManagedGroup): GroupHealth {
  if (health.status === 'recovering' || health.status === 'gave-up') {
    const path = managed.path;
    const failing = health.failing.find((child) =>
      child.path.every((name, index) => path[index] === name),
    );
    if (failing !== undefined) {
      const { error, failedAt: gaveUpAt, failures: giveUps, restartAt } = failing;
      return health.status === 'gave-up'
        ? { kind: 'gave-up', error, gaveUpAt }
        : {
            kind: 'restart-pending',
            error,
            gaveUpAt,
            giveUps,
            ...(restartAt === undefined ? {} : { restartAt }),
          };
    }
  }
  const { state } = managed.status();
  return state.kind === 'gave-up'
    ? { kind: 'gave-up', error: state.error, gaveUpAt: state.at }
    : { kind: 'healthy' };
}
