import type { BackoffOptions } from '../core/backoff/backoff-options.js';
import type { Delivery } from '../core/channel/delivery.js';
import type { RestartPolicy } from '../core/group/restart-policy.js';
import type { TaskContext } from '../core/group/task-context.js';
import type { IntensityOptions } from '../core/group/task-group-options.js';
import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { classNameOf } from './class-name.js';

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
  /**
   * How long the provider's destroy phase waits for the method's runs to settle; default 5000.
   * In handler mode, the drain of the channel at shutdown counts against it too.
   */
  readonly shutdownTimeoutMs?: number;
  /**
   * Binds the method to the channel of that name (declared with `StageModule.forFeature({
   * channels })`): Stage runs it in **handler mode**, calling it once per message with `(body,
   * delivery)`; its return value is the reply to a request. `size` tasks consume the channel at
   * once. An unknown name fails the bootstrap with `UnknownChannelError`.
   */
  readonly channel?: string;
  /**
   * Handler mode only: how long one call may take, in ms. Past it the handler is treated as hung:
   * its delivery fails (and counts), and its task is replaced by a fresh one. Default: no limit.
   */
  readonly handlerTimeoutMs?: number;
}

/** Options of a `@Supervised` method that receives its run's `TaskContext`. */
export type SupervisedTaskOptions = SupervisedOptions & {
  readonly channel?: undefined;
  readonly handlerTimeoutMs?: undefined;
};

/** Options of a `@Supervised` method bound to a channel: it runs in handler mode. */
export type SupervisedHandlerOptions = SupervisedOptions & { readonly channel: string };

/** A method that can be supervised: it receives its run's context and may return a promise. */
export type SupervisedMethod = (ctx: TaskContext) => unknown;

/**
 * A method that handles the messages of a channel: it receives a message's body and its delivery
 * and returns the reply (or a promise of it). Any message and reply types are accepted.
 */
export type ChannelHandlerMethod = (body: never, delivery: Delivery<never, never>) => unknown;

/**
 * The decorator `@Supervised` returns; it accepts only methods of the right shape: taking a
 * `TaskContext`, or `(body, delivery)` in handler mode.
 */
export type SupervisedDecorator<TShape = SupervisedMethod> = <TMethod extends TShape>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<TMethod>,
) => void;

/**
 * The options of each `@Supervised` applied to a method, in application order, by the prototype
 * that declares the method and the method's key: not only by the function, which a decorator
 * applied after `@Supervised` may replace with a wrapper or an accessor.
 */
const supervisedByPrototype = new WeakMap<
  object,
  Map<string | symbol, readonly SupervisedOptions[]>
>();
/**
 * The same options by the decorated function itself, for a method whose descriptor was copied
 * onto another prototype (a mixin helper that copies descriptors).
 */
const supervisedByFunction = new WeakMap<object, readonly SupervisedOptions[]>();

/**
 * Runs a provider method as a supervised group of tasks for the life of the application.
 *
 * The method is the task: each run receives a `TaskContext` (an `AbortSignal` that fires when the
 * run must stop, its slot `index`, its `attempt` and the `group` name) and runs until its promise
 * settles. Such a method can consume a channel in **loop mode**: inject the channel and iterate
 * `channel.consume(ctx)`; a throw fails the run, and the message it held is redelivered.
 *
 * With `channel`, the method runs in **handler mode** instead: Stage owns the loop and calls
 * `method(body, delivery)` once per message, with `size` calls at most at once. Its return value
 * (or what its promise resolves to) is the reply to a request. A throw fails that delivery only:
 * the message is redelivered after a delay growing with its delivery count (`delivery.
 * deliveryCount`), or dead-lettered after the channel's `maxDeliveries`, while the task goes on
 * with other messages. A call that exceeds `handlerTimeoutMs` is abandoned and its task replaced.
 * Handlers should be idempotent, keyed by `delivery.id`: a message may be handled again after a
 * crash.
 *
 * - **Start**: discovered when the application initializes, started in the owning provider's
 *   `onApplicationBootstrap` phase, after the provider's own hook.
 * - **Failure**: a throw or rejection is logged with its stack under the group's name, counted in
 *   the registry, and the run is restarted by the group's policy and backoff. Past the restart
 *   intensity the group gives up: its module's supervisor restarts it by its strategy (see
 *   `StageModule.forFeature({ supervisor })`), and past the supervisor's own intensity the whole
 *   module gives up and the root options' `onGiveUp` policy applies. The application never
 *   crashes.
 * - **Supervision tree**: the group is a child of the supervisor of the module that declares its
 *   provider, named after the module class; its path is `['root', 'Module', 'Class.method']`.
 * - **Cancellation and shutdown**: the group stops in the owning provider's `onModuleDestroy`
 *   phase, before that provider's own hook and before the providers it depends on are destroyed.
 *   The signal fires and Stage waits up to `shutdownTimeoutMs` for the runs to settle; a run
 *   still going then is reported as abandoned (a promise cannot be killed). Several supervised
 *   methods of one provider stop in reverse declaration order, each within its own deadline. In
 *   handler mode, the last group consuming a channel first closes it and drains it within the
 *   same deadline (sends then reject with `ChannelClosedError`), then stops.
 *
 * Works on the methods of providers and controllers. Only singleton instance methods can be
 * supervised: a request-scoped or transient provider fails the bootstrap (see
 * `skipScopedProviders`), and on a static method the decorator throws an `InvalidOptionError` when
 * the class is defined. A provider exposed under several tokens (`useExisting`, the same value
 * twice) runs its methods once. Other method decorators may be combined with it, in any order: a
 * decorator that wraps the method keeps it supervised. A subclass inherits a supervised method;
 * one that overrides it runs its own method, supervised only if decorated again.
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
 *
 * @Injectable()
 * export class AdderWorkers {
 *   @Supervised({ channel: 'adder', size: 4 })
 *   add({ a, b }: Operands, delivery: Delivery<Operands, number>): number {
 *     return a + b;
 *   }
 * }
 * ```
 */
export function Supervised(options?: SupervisedTaskOptions): SupervisedDecorator;
export function Supervised(
  options: SupervisedHandlerOptions,
): SupervisedDecorator<ChannelHandlerMethod>;
export function Supervised(
  options: SupervisedOptions = {},
): SupervisedDecorator<SupervisedMethod | ChannelHandlerMethod> {
  return (target, key, descriptor) => {
    if (typeof target === 'function') {
      const site = `${target.name || 'AnonymousClass'}@${keyName(key)}`;
      throw new InvalidOptionError(site, '@Supervised', 'a static method', 'an instance method');
    }
    if (typeof descriptor.value !== 'function') {
      const site = `${classNameOf(target)}@${keyName(key)}`;
      throw new InvalidOptionError(site, '@Supervised', descriptor.value, 'a method');
    }
    let byKey = supervisedByPrototype.get(target);
    if (byKey === undefined) supervisedByPrototype.set(target, (byKey = new Map()));
    const applied = [...(byKey.get(key) ?? []), options];
    byKey.set(key, applied);
    supervisedByFunction.set(descriptor.value, applied);
  };
}

/** A method of a class that `@Supervised` applies to, as the prototype chain resolves it. */
export interface SupervisedMethodSite {
  /** The method's key on the instance (a string or a symbol). */
  readonly key: string | symbol;
  /** The key as names and errors show it: the name, or `[description]` for a symbol. */
  readonly name: string;
  /** Every `@Supervised` applied to it (more than one is a wiring error the explorer reports). */
  readonly options: readonly SupervisedOptions[];
}

/**
 * The supervised methods of the instances whose prototype is `prototype`, nearest class first
 * and each class's methods in declaration order, symbol-named ones included.
 *
 * A key is resolved where the chain first defines it, as the instance sees it: a subclass that
 * overrides a supervised method without decorating it again runs its own method, unsupervised. A
 * method stays supervised when a later decorator wrapped it or turned it into an accessor (the
 * options are kept by its key), and when a mixin helper copied its descriptor onto the provider's
 * prototype (they are kept by its function too).
 */
export function supervisedMethodsOf(prototype: object): SupervisedMethodSite[] {
  const seen = new Set<string | symbol>();
  const found: SupervisedMethodSite[] = [];
  for (
    let at: object | null = prototype;
    at !== null && at !== Object.prototype;
    at = Object.getPrototypeOf(at) as object | null
  ) {
    for (const key of Reflect.ownKeys(at)) {
      if (key === 'constructor' || seen.has(key)) continue;
      seen.add(key);
      const options = optionsDeclaredAt(at, key);
      if (options.length > 0) found.push({ key, name: keyName(key), options });
    }
  }
  return found;
}

/** The options of method `key` as `at` itself defines it. */
function optionsDeclaredAt(at: object, key: string | symbol): readonly SupervisedOptions[] {
  const byKey = supervisedByPrototype.get(at)?.get(key);
  if (byKey !== undefined) return byKey;
  const value: unknown = Object.getOwnPropertyDescriptor(at, key)?.value;
  return typeof value === 'function' ? (supervisedByFunction.get(value) ?? []) : [];
}

/** How a method key is shown in group names and errors. */
function keyName(key: string | symbol): string {
  return typeof key === 'string' ? key : `[${key.description ?? 'symbol'}]`;
}
