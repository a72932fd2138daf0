/** What Stage runs in an owning provider's lifecycle, around the provider's own hooks. */
export interface OwnerLifecycle {
  /** Runs after the owner's own `onApplicationBootstrap` has resolved. */
  readonly bootstrap: () => void;
  /** Runs before the owner's own `onModuleDestroy`. Must not reject. */
  readonly destroy: () => Promise<void>;
}

type Hook = (...args: unknown[]) => unknown;

const HOOKS = ['onApplicationBootstrap', 'onModuleDestroy'] as const;

/**
 * Makes `owner` run `lifecycle` in its own lifecycle hooks, so that its groups start after the
 * owner bootstrapped and stop during the owner's destroy phase: before the owner's own
 * `onModuleDestroy` and before Nest destroys the providers the owner depends on (Nest destroys
 * dependents first). Nest looks a hook up on the instance when it calls it, so an own property
 * that wraps the class's hook takes effect; the class's hook still runs, with the same `this`.
 *
 * Returns `false`, changing nothing, when the instance cannot carry the hooks (it is frozen or
 * sealed, or a hook is a read-only own property).
 */
export function bindOwnerLifecycle(owner: object, lifecycle: OwnerLifecycle): boolean {
  if (!HOOKS.every((hook) => canRedefine(owner, hook))) return false;
  const ownBootstrap = hookOf(owner, 'onApplicationBootstrap');
  const ownDestroy = hookOf(owner, 'onModuleDestroy');
  const originals = HOOKS.map(
    (hook) => [hook, Object.getOwnPropertyDescriptor(owner, hook)] as const,
  );

  try {
    define(owner, 'onApplicationBootstrap', async function (this: unknown, ...args: unknown[]) {
      if (ownBootstrap !== undefined) await ownBootstrap.apply(this, args);
      lifecycle.bootstrap();
    });
    define(owner, 'onModuleDestroy', async function (this: unknown, ...args: unknown[]) {
      await lifecycle.destroy();
      if (ownDestroy !== undefined) await ownDestroy.apply(this, args);
    });
  } catch {
    // A proxy may refuse a definition even though the checks passed: put back what changed.
    for (const [hook, original] of originals) restore(owner, hook, original);
    return false;
  }
  return true;
}

/**
 * Makes `dependency` run `before` at the start of its own `onModuleDestroy`, so that the groups of
 * the providers that use it stop before it is destroyed, whatever order Nest destroys modules in
 * (it destroys a global module's providers last, after the modules they import). Only a provider
 * with an `onModuleDestroy` of its own needs this: one without is not destroyed before the
 * application's shutdown hooks, which run after every group has stopped.
 *
 * Returns `false`, changing nothing, when `dependency` has no such hook or cannot carry a
 * wrapper (frozen, sealed, or a read-only hook).
 */
export function bindBeforeDestroy(dependency: object, before: () => Promise<void>): boolean {
  const ownDestroy = hookOf(dependency, 'onModuleDestroy');
  if (ownDestroy === undefined || !canRedefine(dependency, 'onModuleDestroy')) return false;
  const original = Object.getOwnPropertyDescriptor(dependency, 'onModuleDestroy');
  try {
    define(dependency, 'onModuleDestroy', async function (this: unknown, ...args: unknown[]) {
      await before();
      return ownDestroy.apply(this, args);
    });
  } catch {
    restore(dependency, 'onModuleDestroy', original);
    return false;
  }
  return true;
}

function canRedefine(owner: object, hook: string): boolean {
  const own = Object.getOwnPropertyDescriptor(owner, hook);
  return own === undefined ? Object.isExtensible(owner) : own.configurable === true;
}

function hookOf(owner: object, hook: string): Hook | undefined {
  const value: unknown = (owner as Record<string, unknown>)[hook];
  return typeof value === 'function' ? (value as Hook) : undefined;
}

function define(owner: object, hook: string, value: Hook): void {
  Object.defineProperty(owner, hook, { value, configurable: true, writable: true });
}

function restore(owner: object, hook: string, original: PropertyDescriptor | undefined): void {
  const current = Object.getOwnPropertyDescriptor(owner, hook);
  if (current?.value === original?.value) return;
  try {
    if (original === undefined) Reflect.deleteProperty(owner, hook);
    else Object.defineProperty(owner, hook, original);
  } catch {
    // Nothing more can be done for an object that refuses its own properties.
  }
}
