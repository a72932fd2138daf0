import { setTimeout as sleep } from 'node:timers/promises';

import { Injectable } from '@nestjs/common';
import { StageModule, StageRegistry, Supervised, type TaskContext } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { aborted, boot } from './support/boot.js';

/** Boots `provider` with Stage; returns how often its method ran and the groups' names. */
async function runsOf(
  define: (ran: () => void) => unknown,
): Promise<{ runs: number; groups: string[] }> {
  let runs = 0;
  const provider = define(() => runs++);
  const { app } = await boot({
    imports: [StageModule.forRoot({ logging: false })],
    providers: [provider as never],
  });
  await sleep(20);
  const groups = app
    .get(StageRegistry)
    .list()
    .map((group) => group.name);
  await app.close();
  return { runs, groups };
}

describe('@Supervised on methods of other shapes', () => {
  it('runs a symbol-named method, named after its description', async () => {
    const poll = Symbol('poll');

    const seen = await runsOf((ran) => {
      @Injectable()
      class Poller {
        @Supervised()
        async [poll]({ signal }: TaskContext): Promise<void> {
          ran();
          await aborted(signal);
        }
      }
      return Poller;
    });

    expect(seen).toEqual({ runs: 1, groups: ['Poller.[poll]'] });
  });

  it('runs a method that a binding decorator applied after @Supervised turns into a getter', async () => {
    /** Binds the method to its instance on first access, as autobind-style decorators do. */
    const Bound = (): MethodDecorator => (_target, key, descriptor: PropertyDescriptor) => {
      const method = descriptor.value as (...args: unknown[]) => unknown;
      const accessor: PropertyDescriptor = {
        configurable: true,
        get(this: object) {
          const bound = method.bind(this);
          Object.defineProperty(this, key, { value: bound, configurable: true, writable: true });
          return bound;
        },
      };
      return accessor as never;
    };

    const seen = await runsOf((ran) => {
      @Injectable()
      class Poller {
        @Bound()
        @Supervised()
        async poll({ signal }: TaskContext): Promise<void> {
          ran();
          await aborted(signal);
        }
      }
      return Poller;
    });

    expect(seen).toEqual({ runs: 1, groups: ['Poller.poll'] });
  });

  it('refuses, when the class is defined, an accessor given to @Supervised', () => {
    const define = () => {
      class Poller {
        @Supervised()
        get poll(): () => Promise<void> {
          return async () => undefined;
        }
      }
      return Poller;
    };

    expect(define).toThrow('Invalid option "@Supervised" for Poller@poll: expected a method');
  });
});
