import { describe, expect, it } from 'vitest';

import { bindOwnerLifecycle } from './owner-lifecycle.js';

interface Hooked {
  onApplicationBootstrap?: () => Promise<void>;
  onModuleDestroy?: () => Promise<void>;
}

function recorder(): {
  readonly calls: string[];
  readonly lifecycle: { bootstrap: () => void; destroy: () => Promise<void> };
} {
  const calls: string[] = [];
  return {
    calls,
    lifecycle: {
      bootstrap: () => calls.push('stage bootstrap'),
      destroy: async () => {
        calls.push('stage destroy');
      },
    },
  };
}

describe('bindOwnerLifecycle', () => {
  it('runs Stage after the owner bootstrapped and before the owner is destroyed', async () => {
    const { calls, lifecycle } = recorder();
    class Owner {
      onApplicationBootstrap(): void {
        calls.push(`own bootstrap on ${this.constructor.name}`);
      }
      onModuleDestroy(): void {
        calls.push(`own destroy on ${this.constructor.name}`);
      }
    }
    const owner = new Owner() as Owner & Hooked;

    expect(bindOwnerLifecycle(owner, lifecycle)).toBe(true);
    await owner.onApplicationBootstrap();
    await owner.onModuleDestroy();

    expect(calls).toEqual([
      'own bootstrap on Owner',
      'stage bootstrap',
      'stage destroy',
      'own destroy on Owner',
    ]);
  });

  it('gives hooks to an owner that has none', async () => {
    const { calls, lifecycle } = recorder();
    const owner: Hooked = {};

    expect(bindOwnerLifecycle(owner, lifecycle)).toBe(true);
    await owner.onApplicationBootstrap?.();
    await owner.onModuleDestroy?.();

    expect(calls).toEqual(['stage bootstrap', 'stage destroy']);
  });

  it('wraps a hook declared as an own arrow property', async () => {
    const { calls, lifecycle } = recorder();
    class Owner {
      onModuleDestroy = async (): Promise<void> => {
        calls.push('own destroy');
      };
    }
    const owner = new Owner();

    expect(bindOwnerLifecycle(owner, lifecycle)).toBe(true);
    await owner.onModuleDestroy();

    expect(calls).toEqual(['stage destroy', 'own destroy']);
  });

  it('does not start the groups when the owner bootstrap fails', async () => {
    const { calls, lifecycle } = recorder();
    const owner: Hooked = {
      onApplicationBootstrap: () => Promise.reject(new Error('no connection')),
    };

    bindOwnerLifecycle(owner, lifecycle);

    await expect(owner.onApplicationBootstrap?.()).rejects.toThrow('no connection');
    expect(calls).toEqual([]);
  });

  it('stops the groups even when the owner destroy hook then fails', async () => {
    const { calls, lifecycle } = recorder();
    const owner: Hooked = { onModuleDestroy: () => Promise.reject(new Error('close failed')) };

    bindOwnerLifecycle(owner, lifecycle);

    await expect(owner.onModuleDestroy?.()).rejects.toThrow('close failed');
    expect(calls).toEqual(['stage destroy']);
  });

  it('refuses a frozen owner and leaves it unchanged', () => {
    const { lifecycle } = recorder();
    const owner = Object.freeze({ onModuleDestroy: () => undefined });

    expect(bindOwnerLifecycle(owner, lifecycle)).toBe(false);
  });

  it('refuses an owner whose hook is a read-only own property', () => {
    const { lifecycle } = recorder();
    const destroy = (): void => undefined;
    const owner = {};
    Object.defineProperty(owner, 'onModuleDestroy', { value: destroy, configurable: false });

    expect(bindOwnerLifecycle(owner, lifecycle)).toBe(false);
    expect((owner as { onApplicationBootstrap?: unknown }).onApplicationBootstrap).toBeUndefined();
  });

  it('restores the hooks of a proxy that refuses the definition', () => {
    const { lifecycle } = recorder();
    const destroy = (): void => undefined;
    const target = { onModuleDestroy: destroy };
    const owner = new Proxy(target, {
      defineProperty: (object, key, descriptor) =>
        key === 'onModuleDestroy' ? false : Reflect.defineProperty(object, key, descriptor),
    });

    expect(bindOwnerLifecycle(owner, lifecycle)).toBe(false);
    expect(owner.onModuleDestroy).toBe(destroy);
    expect((owner as { onApplicationBootstrap?: unknown }).onApplicationBootstrap).toBeUndefined();
  });
});
