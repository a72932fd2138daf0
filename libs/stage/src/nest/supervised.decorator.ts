import type { BackoffOptions } from '../core/backoff/backoff-options.js';
import type { RestartPolicy } from '../core/group/restart-policy.js';
import type { TaskContext } from '../core/group/task-context.js';
import type { IntensityOptions } from '../core/group/task-group-options.js';

/**
 * How a `@Supervised` method runs as a group. Every field is optional; unset fields take the
 * root `groups` defaults of `StageModule.forRoot()`, then the core's defaults. Validated at
 * bootstrap: a bad value fails it with an `InvalidOptionError` naming `Class@method` and the
 * option.
 */
export interface SupervisedOptions {
  /**
   * The group's name in logs, events, errors and the registry. Default: `ClassName.method`
   * (for example `MailService.drainOutbox`), stable across restarts and deployments as long as
   * the class and method keep their names. Must be unique in the application.
   */
  readonly name?: string;
  /** How many copies of the method run at once; default 1. */
  readonly size?: number;
  /** When an ended run is started again; default `on-failure`. */
  readonly restart?: RestartPolicy;
  /** The wait before a restart, merged field by field over the root defaults. */
  readonly backoff?: BackoffOptions;
  /** The restart intensity, or `false` for no limit; replaces the root default as a whole. */
  readonly intensity?: IntensityOptions | false;
  /** How long the provider's destroy phase waits for the method's runs to settle; default 5000. */
  readonly shutdownTimeoutMs?: number;
  // Room for the second degree: `channel` binds the method to a channel, which then runs it in
  // handler mode (one call per message, the return value being the reply).
}

/** A method that can be supervised: it receives its run's context and may return a promise. */
export type SupervisedMethod = (ctx: TaskContext) => unknown;

/** The decorator `@Supervised` returns; it accepts only methods that take a `TaskContext`. */
export type SupervisedDecorator = <TMethod extends SupervisedMethod>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<TMethod>,
) => void;

/** The options of each `@Supervised` applied to a method, in application order. */
const supervisedByMethod = new WeakMap<object, readonly SupervisedOptions[]>();

/**
 * Runs a provider method as a supervised group of tasks for the life of the application.
 *
 * The method is the task: each run receives a `TaskContext` (an `AbortSignal` that fires when the
 * run must stop, its slot `index`, its `attempt` and the `group` name) and runs until its promise
 * settles.
 *
 * - **Start**: discovered when the application initializes, started in the owning provider's
 *   `onApplicationBootstrap` phase, after the provider's own hook.
 * - **Failure**: a throw or rejection is logged with its stack under the group's name, counted in
 *   the registry, and the run is restarted by the group's policy and backoff. Past the restart
 *   intensity the group gives up and the root options' `onGiveUp` policy applies; the
 *   application never crashes.
 * - **Cancellation and shutdown**: the group stops in the owning provider's `onModuleDestroy`
 *   phase, before that provider's own hook and before the providers it depends on are destroyed.
 *   The signal fires and Stage waits up to `shutdownTimeoutMs` for the runs to settle; a run
 *   still going then is reported as abandoned (a promise cannot be killed). Several supervised
 *   methods of one provider stop in parallel, each within its own deadline.
 *
 * Works on the methods of providers and controllers. Only singleton instance methods can be
 * supervised: a request-scoped or transient provider fails the bootstrap (see
 * `skipScopedProviders`), and static methods are not discovered. A provider exposed under several
 * tokens (`useExisting`, the same value twice) runs its methods once.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class OutboxRelay {
 *   @Supervised({ size: 2, restart: 'always' })
 *   async relay({ signal }: TaskContext): Promise<void> {
 *     while (!signal.aborted) await this.relayBatch(signal);
 *   }
 * }
 * ```
 */
export function Supervised(options: SupervisedOptions = {}): SupervisedDecorator {
  return (_target, _key, descriptor) => {
    const method = descriptor.value;
    if (typeof method !== 'function') return;
    supervisedByMethod.set(method, [...(supervisedByMethod.get(method) ?? []), options]);
  };
}

/**
 * The options of every `@Supervised` applied to `method` (more than one is a wiring error the
 * explorer reports), or an empty list when it is not supervised.
 */
export function supervisedOptionsOf(method: unknown): readonly SupervisedOptions[] {
  return typeof method === 'function' ? (supervisedByMethod.get(method) ?? []) : [];
}
