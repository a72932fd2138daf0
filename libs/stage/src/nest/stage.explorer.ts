import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, ModulesContainer } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import type { Module } from '@nestjs/core/injector/module.js';

import { Channel } from '../core/channel/channel.js';
import { handleChannel } from '../core/channel/handle-channel.js';
import type { Delivery } from '../core/channel/delivery.js';
import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { knownOptions } from '../core/util/option-checks.js';
import type { TaskContext, TaskFn } from '../core/group/task-context.js';
import { classNameOf } from './class-name.js';
import { ScopedProviderError } from './errors/scoped-provider-error.js';
import { UnknownChannelError } from './errors/unknown-channel-error.js';
import { dependenciesOf } from './provider-dependencies.js';
import { nonSingletonReason, tokenName } from './provider-scope.js';
import { type ScannedFeatures, scanFeatures } from './scan-features.js';
import { StageConfiguration } from './stage-configuration.js';
import { StageRuntime } from './stage-runtime.js';
import { type SupervisedOptions, supervisedMethodsOf } from './supervised.decorator.js';

/** The options `@Supervised` accepts; anything else is a wiring error. */
const SUPERVISED_KEYS: readonly string[] = [
  'name',
  'size',
  'restart',
  'backoff',
  'intensity',
  'shutdownTimeoutMs',
  'channel',
  'handlerTimeoutMs',
];

/** A `@Supervised` method found on a provider instance. */
interface SupervisedSite {
  readonly instance: object;
  /** Nest's module object of the provider, whose supervisor the group joins. */
  readonly module: Module | undefined;
  /** The method's key on the instance. */
  readonly key: string | symbol;
  /** `Class@method`, as errors and warnings name it. */
  readonly site: string;
  /** The group's default name, `Class.method`. */
  readonly defaultName: string;
  readonly options: readonly SupervisedOptions[];
  /** What the provider uses, directly or not; their destroy phase stops its groups first. */
  readonly dependencies: readonly object[];
}

/**
 * Finds the `@Supervised` methods of the application's providers and controllers when the
 * application initializes, turns each into a group owned by its instance, and runs Stage's own
 * bootstrap and destroy phases. Internal.
 *
 * Order: the providers of every module (modules in Nest's scan order, providers in each module's
 * order), then the controllers the same way; each class's methods in declaration order. A module's
 * groups join its supervisor in that order, and a module's supervisor joins the root when its
 * first group is found; children start in that order and stop in reverse.
 *
 * Skipped: alias providers (`useExisting`) and any instance already seen under another token, so
 * a provider is supervised once however it is exposed; values that are not objects or have no
 * prototype. Scoped providers are checked through their class: a request-scoped or transient
 * *factory* provider has no class to inspect before a request, so its methods go unnoticed.
 */
@Injectable()
export class StageExplorer implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Stage');
  /** Set once discovery has run, so that a second `onModuleInit` cannot add groups twice. */
  private discovered = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly modules: ModulesContainer,
    private readonly configuration: StageConfiguration,
    private readonly runtime: StageRuntime,
  ) {}

  /**
   * Reads the feature registrations and builds every group (none starts yet). Bad wiring throws
   * and fails the bootstrap: an `InvalidOptionError` naming `Class@method` and the option, a
   * `DuplicateGroupError`, a `ScopedProviderError`, an `UnknownChannelError` or a
   * `DuplicateChannelError`.
   */
  onModuleInit(): void {
    if (this.discovered) return;
    this.discovered = true;
    const features = scanFeatures(this.modules.values());
    this.runtime.bindChannels(features.channels);
    for (const site of this.findSites()) this.addGroup(site, features);
  }

  onApplicationBootstrap(): void {
    this.runtime.bootstrap();
  }

  /** Never rejects: stops what is left, cancels root restarts, completes the events. */
  async onModuleDestroy(): Promise<void> {
    await this.runtime.close();
  }

  private findSites(): SupervisedSite[] {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const seen = new Set<object>();
    const sites: SupervisedSite[] = [];

    for (const wrapper of wrappers) {
      if (wrapper.isAlias) continue;
      const reason = nonSingletonReason(wrapper);
      if (reason !== undefined) {
        this.rejectScoped(wrapper, reason);
        continue;
      }

      const instance: unknown = wrapper.instance;
      if (instance === null || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const prototype: unknown = Object.getPrototypeOf(instance);
      if (prototype === null || typeof prototype !== 'object') continue;
      sites.push(...this.sitesOf(instance, prototype, wrapper));
    }
    return sites;
  }

  /** The supervised methods of `prototype`'s chain, to run on `instance`. */
  private sitesOf(instance: object, prototype: object, wrapper: InstanceWrapper): SupervisedSite[] {
    const className = classNameOf(prototype);
    const module: Module | undefined = wrapper.host;
    let dependencies: readonly object[] | undefined;
    return supervisedMethodsOf(prototype).map(({ key, name, options }) => {
      dependencies ??= dependenciesOf(wrapper);
      return {
        instance,
        module,
        key,
        site: `${className}@${name}`,
        defaultName: `${className}.${name}`,
        options,
        dependencies,
      };
    });
  }

  /** Supervised methods of a scoped provider fail the bootstrap, or are skipped with a warning. */
  private rejectScoped(wrapper: InstanceWrapper, reason: string): void {
    const metatype: unknown = wrapper.metatype;
    if (typeof metatype !== 'function' || wrapper.isFactory) return;
    const prototype: unknown = metatype.prototype;
    if (prototype === null || typeof prototype !== 'object') return;

    const className = typeof metatype.name === 'string' ? metatype.name : tokenName(wrapper);
    for (const { name } of supervisedMethodsOf(prototype)) {
      const error = new ScopedProviderError(`${className}@${name}`, reason);
      if (!this.configuration.options.skipScopedProviders) throw error;
      this.logger.warn(`Skipping @Supervised method ${className}@${name}: ${reason}.`);
    }
  }

  private addGroup(
    { instance, module, key, site, defaultName, options, dependencies }: SupervisedSite,
    features: ScannedFeatures,
  ): void {
    if (options.length > 1) {
      throw new InvalidOptionError(site, '@Supervised', options.length, 'a single @Supervised');
    }
    const given: unknown = options[0] ?? {};
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new InvalidOptionError(site, 'options', given, 'an options object');
    }
    const unknownKey = Object.keys(given).find((key) => !SUPERVISED_KEYS.includes(key));
    if (unknownKey !== undefined) {
      throw new InvalidOptionError(
        site,
        unknownKey,
        (given as Record<string, unknown>)[unknownKey],
        knownOptions(unknownKey, SUPERVISED_KEYS),
      );
    }
    const {
      name = defaultName,
      channel,
      handlerTimeoutMs,
      ...groupOptions
    } = given as SupervisedOptions;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidOptionError(site, 'name', name, 'a non-empty string');
    }
    // The method is looked up at each call, so a spy or a replaced method is honoured.
    const call = (...args: unknown[]): unknown => {
      const method: unknown = (instance as Record<string | symbol, unknown>)[key];
      if (typeof method !== 'function') {
        throw new TypeError(`${site} is no longer a function.`);
      }
      return (method as (...args: unknown[]) => unknown).apply(instance, args);
    };

    let task: TaskFn;
    if (channel === undefined) {
      if (handlerTimeoutMs !== undefined) {
        throw new InvalidOptionError(
          site,
          'handlerTimeoutMs',
          handlerTimeoutMs,
          'no value without "channel" (it applies to handler mode only)',
        );
      }
      task = (ctx: TaskContext) => call(ctx);
    } else {
      const handled = this.handlerTask(site, channel, handlerTimeoutMs, call, features);
      if (handled === undefined) return;
      task = handled;
    }

    try {
      this.runtime.add({
        options: { ...groupOptions, name, task },
        origin: site,
        owner: instance,
        dependencies,
        launch: 'with-owner',
        ...(module === undefined
          ? {}
          : {
              module: {
                key: module,
                name: module.name,
                supervisor: features.supervisors.get(module) ?? {},
              },
            }),
        ...(typeof channel === 'string' ? { channel } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidOptionError) {
        throw new InvalidOptionError(site, error.option, error.received, error.expected);
      }
      throw error;
    }
  }

  /**
   * The task of a handler-mode group: the core's `handleChannel` over the channel provided under
   * the name. `undefined` (with a warning) when a test replaced the channel with something that
   * is not a `Channel`: there is nothing to consume then.
   *
   * @throws UnknownChannelError; InvalidOptionError naming `Class@method` for a bad option.
   */
  private handlerTask(
    site: string,
    channel: unknown,
    handlerTimeoutMs: unknown,
    call: (...args: unknown[]) => unknown,
    features: ScannedFeatures,
  ): TaskFn | undefined {
    if (typeof channel !== 'string' || channel.trim() === '') {
      throw new InvalidOptionError(site, 'channel', channel, 'the name of a declared channel');
    }
    const declared = features.channels.get(channel);
    if (declared === undefined) {
      throw new UnknownChannelError(site, channel, [...features.channels.keys()]);
    }
    if (!(declared.instance instanceof Channel)) {
      this.logger.warn(
        `Channel "${channel}" was replaced by a value that is not a Channel; ${site} does not ` +
          `consume it.`,
      );
      return undefined;
    }
    // A named function, so that stack traces show the handler's frame as such.
    const handleMessage = (body: unknown, delivery: Delivery<unknown, unknown>): unknown =>
      call(body, delivery);
    try {
      return handleChannel(
        declared.instance,
        handleMessage,
        handlerTimeoutMs === undefined ? {} : { handlerTimeoutMs: handlerTimeoutMs as number },
      );
    } catch (error) {
      if (error instanceof InvalidOptionError) {
        throw new InvalidOptionError(site, error.option, error.received, error.expected);
      }
      throw error;
    }
  }
}
