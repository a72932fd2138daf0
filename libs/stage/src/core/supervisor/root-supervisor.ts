import type { ChildExit, SupervisedChild } from './child.js';
import type { FailingChild, RootHealth } from './root-health.js';
import {
  rootSupervisorOptions,
  type RootGiveUpReport,
  type RootSupervisorOptions,
} from './root-supervisor-options.js';
import { Supervisor } from './supervisor.js';

/**
 * The top of a supervision tree: a {@link Supervisor} that reacts to its children's failures the
 * way an application wants, since there is nobody above it to escalate to.
 *
 * **Default: keep running and heal.** A child that fails (typically a group or a supervisor that
 * gave up) is restarted after a long capped backoff ({@link DEFAULT_ROOT_BACKOFF}: 30 s doubling
 * to 5 min), while its siblings keep running and {@link health} reports `recovering`. So a
 * transient outage of a dependency never leaves the application degraded for good. The root has
 * no restart intensity: it never gives up by itself; the backoff paces it.
 *
 * **With `onGiveUp`: hand over.** The first failure in a run is handed to the callback (for
 * example to close the application so that Kubernetes or systemd restarts it) and
 * {@link health} reports `gave-up`; the failed child is not restarted. See
 * {@link RootSupervisorOptions.onGiveUp}.
 *
 * Everything else (ordering, strategies, stop, events) is the supervisor's; its restart policy is
 * `always` and its strategy `one-for-one` unless given.
 *
 * @example
 * const root = new RootSupervisor({ onGiveUp: () => app.close() });
 * root.add(new TaskGroup({ name: 'poller', task: poll }));
 * root.start();
 * probe(() => root.health().healthy);
 */
export class RootSupervisor extends Supervisor {
  /** The callback of the shutdown mode, or undefined for the restart mode. */
  readonly #onGiveUp: ((report: RootGiveUpReport) => void) | undefined;
  /** Failures handed to `onGiveUp` in the current run; the callback ran for the first one. */
  #handedOver: FailingChild[] = [];

  /**
   * Validates `options` once; builds an idle root with no children.
   *
   * @throws {InvalidOptionError} naming `supervisor "<name>"`, the option and the value received.
   */
  constructor(options?: RootSupervisorOptions) {
    const { supervisor, onGiveUp } = rootSupervisorOptions(options);
    super(supervisor);
    this.#onGiveUp = onGiveUp;
  }

  /** How the tree stands right now; computed on each call. */
  health(): RootHealth {
    const status = this.status();
    if (status.state.kind !== 'running') return { healthy: false, status: 'not-running' };
    if (this.#handedOver.length > 0) {
      return { healthy: false, status: 'gave-up', failing: [...this.#handedOver] };
    }

    const failing: FailingChild[] = [];
    for (const child of status.children) {
      const { state } = child;
      if (state.kind !== 'restarting' || state.failure === undefined) continue;
      failing.push({
        name: child.name,
        path: child.path,
        error: state.failure.error,
        failedAt: state.failure.at,
        failures: child.failures,
        ...(state.restartAt === undefined ? {} : { restartAt: state.restartAt }),
      });
    }
    return failing.length === 0
      ? { healthy: true, status: 'healthy' }
      : { healthy: false, status: 'recovering', failing };
  }

  protected override beforeRun(): void {
    this.#handedOver = [];
  }

  protected override handOver(child: SupervisedChild, exit: ChildExit): boolean {
    const onGiveUp = this.#onGiveUp;
    if (onGiveUp === undefined || exit.kind !== 'failed') return false;

    const first = this.#handedOver.length === 0;
    this.#handedOver.push({
      name: child.name,
      path: child.path,
      error: exit.error,
      failedAt: Date.now(),
      failures: 1,
    });
    if (first) {
      const report: RootGiveUpReport = { child: child.name, path: child.path, error: exit.error };
      // Called on a later microtask: never from inside the child's own `childExited` call.
      Promise.resolve()
        .then(() => onGiveUp(report))
        .catch((error: unknown) => this.reportHookFailure('onGiveUp', error));
    }
    return true;
  }
}
