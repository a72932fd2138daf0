import { RootSupervisor } from '../core/supervisor/root-supervisor.js';
import type { RootGiveUpReport } from '../core/supervisor/root-supervisor-options.js';
import { Supervisor } from '../core/supervisor/supervisor.js';
import type { SupervisorListener } from '../core/supervisor/supervisor-events.js';
import type { ModuleSupervisorOptions } from './stage-feature-options.js';
import type { ResolvedStageOptions } from './stage-module-options.js';

/** How the application's tree is built. */
export interface StageTreeInit {
  /** The root policy, from the root options. */
  readonly onGiveUp: ResolvedStageOptions['onGiveUp'];
  /** Called (on a later microtask) when a child of the root fails under the `shutdown` policy. */
  readonly handOver: (report: RootGiveUpReport) => void;
  /** Subscribed to the root and to every module supervisor. */
  readonly listener: SupervisorListener;
}

/**
 * The application's supervision tree:
 *
 * ```
 * root                      RootSupervisor: the onGiveUp policy
 * ├─ AdderModule            one Supervisor per module that declares supervised work
 * │  ├─ AdderWorkers.add    the module's groups, in declaration order
 * │  └─ AdderWorkers.audit
 * └─ reports                groups spawned through StageRegistry.spawn()
 * ```
 *
 * Module supervisors are named after their module class (`ConfigModule#2` for a second module
 * of the same class) and configured by the module's `StageModule.forFeature({ supervisor })`.
 * Internal.
 */
export class StageTree {
  readonly root: RootSupervisor;
  private readonly listener: SupervisorListener;
  /** The supervisor of each module (Nest's module object) that declares supervised work. */
  private readonly modules = new Map<object, Supervisor>();
  /** How many modules of each class name have a supervisor, to keep names unique. */
  private readonly namesTaken = new Map<string, number>();

  constructor({ onGiveUp, handOver, listener }: StageTreeInit) {
    this.listener = listener;
    this.root =
      onGiveUp.action === 'shutdown'
        ? new RootSupervisor({ onGiveUp: handOver })
        : new RootSupervisor({ backoff: { ...onGiveUp.backoff, jitter: 0 } });
    this.root.on(listener);
  }

  /**
   * The supervisor of `module`, added to the root (after the modules added before) the first
   * time it is asked for.
   *
   * @throws InvalidOptionError from the core for bad options (already checked by forFeature).
   */
  moduleSupervisor(
    module: object,
    className: string,
    options: ModuleSupervisorOptions,
  ): Supervisor {
    const known = this.modules.get(module);
    if (known !== undefined) return known;

    const taken = this.namesTaken.get(className) ?? 0;
    this.namesTaken.set(className, taken + 1);
    const name = taken === 0 ? className : `${className}#${taken + 1}`;
    const supervisor = new Supervisor({ ...options, name });
    supervisor.on(this.listener);
    this.root.add(supervisor);
    this.modules.set(module, supervisor);
    return supervisor;
  }

  /** Whether `name` is a child of the root (a module supervisor or a spawned group). */
  hasRootChild(name: string): boolean {
    return this.root.children.includes(name);
  }
}
