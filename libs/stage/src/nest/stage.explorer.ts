import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';

import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import type { TaskContext } from '../core/group/task-context.js';
import { ScopedProviderError } from './errors/scoped-provider-error.js';
import { nonSingletonReason, tokenName } from './provider-scope.js';
import { StageConfiguration } from './stage-configuration.js';
import { StageRuntime } from './stage-runtime.js';
import { type SupervisedOptions, supervisedOptionsOf } from './supervised.decorator.js';

/** The options `@Supervised` accepts; anything else is a wiring error. */
const SUPERVISED_KEYS: readonly string[] = [
  'name',
  'size',
  'restart',
  'backoff',
  'intensity',
  'shutdownTimeoutMs',
];

/** A `@Supervised` method found on a provider instance. */
interface SupervisedSite {
  readonly instance: object;
  readonly methodName: string;
  /** `Class@method`, as errors and warnings name it. */
  readonly site: string;
  /** The group's default name, `Class.method`. */
  readonly defaultName: string;
  readonly options: readonly SupervisedOptions[];
}

/**
 * Finds the `@Supervised` methods of the application's providers and controllers when the
 * application initializes, turns each into a group owned by its instance, and runs Stage's own
 * bootstrap and destroy phases. Internal.
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
    private readonly scanner: MetadataScanner,
    private readonly configuration: StageConfiguration,
    private readonly runtime: StageRuntime,
  ) {}

  /**
   * Builds every group (none starts yet). Bad wiring throws and fails the bootstrap: an
   * `InvalidOptionError` naming `Class@method` and the option, a `DuplicateGroupError`, or a
   * `ScopedProviderError`.
   */
  onModuleInit(): void {
    if (this.discovered) return;
    this.discovered = true;
    for (const site of this.findSites()) this.addGroup(site);
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
      sites.push(...this.sitesOf(instance, prototype));
    }
    return sites;
  }

  /** The supervised methods of `prototype`'s chain, to run on `instance`. */
  private sitesOf(instance: object, prototype: object): SupervisedSite[] {
    const className = classNameOf(prototype);
    return this.scanner.getAllMethodNames(prototype).flatMap((methodName) => {
      const options = supervisedOptionsOf((prototype as Record<string, unknown>)[methodName]);
      if (options.length === 0) return [];
      return [
        {
          instance,
          methodName,
          site: `${className}@${methodName}`,
          defaultName: `${className}.${methodName}`,
          options,
        },
      ];
    });
  }

  /** A scoped provider with supervised methods fails the bootstrap, or is skipped with a warning. */
  private rejectScoped(wrapper: InstanceWrapper, reason: string): void {
    const metatype: unknown = wrapper.metatype;
    if (typeof metatype !== 'function' || wrapper.isFactory) return;
    const prototype: unknown = metatype.prototype;
    if (prototype === null || typeof prototype !== 'object') return;

    const className = typeof metatype.name === 'string' ? metatype.name : tokenName(wrapper);
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      if (supervisedOptionsOf((prototype as Record<string, unknown>)[methodName]).length === 0) {
        continue;
      }
      const error = new ScopedProviderError(`${className}@${methodName}`, reason);
      if (!this.configuration.options.skipScopedProviders) throw error;
      this.logger.warn(`Skipping @Supervised method ${className}@${methodName}: ${reason}.`);
    }
  }

  private addGroup({ instance, methodName, site, defaultName, options }: SupervisedSite): void {
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
        `no such option (known: ${SUPERVISED_KEYS.join(', ')})`,
      );
    }
    const { name = defaultName, ...groupOptions } = given as SupervisedOptions;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidOptionError(site, 'name', name, 'a non-empty string');
    }

    // The method is looked up at each run, so a spy or a replaced method is honoured.
    const task = (ctx: TaskContext): unknown => {
      const method: unknown = (instance as Record<string, unknown>)[methodName];
      if (typeof method !== 'function') {
        throw new TypeError(`${site} is no longer a function.`);
      }
      return (method as (ctx: TaskContext) => unknown).call(instance, ctx);
    };

    try {
      this.runtime.add({
        options: { ...groupOptions, name, task },
        origin: site,
        owner: instance,
        launch: 'with-owner',
      });
    } catch (error) {
      if (error instanceof InvalidOptionError) {
        throw new InvalidOptionError(site, error.option, error.received, error.expected);
      }
      throw error;
    }
  }
}

/** The class name shown in names and errors: the instance's own class, not a base class. */
function classNameOf(prototype: object): string {
  const constructor: unknown = (prototype as { constructor?: unknown }).constructor;
  return typeof constructor === 'function' && constructor.name !== ''
    ? constructor.name
    : 'AnonymousClass';
}
