import type { Delivery } from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import type { Operands } from '../adder/addition.js';
import { CrashInjector } from '../crash/crash-injector.js';
import { InjectedCrashError } from '../crash/injected-crash-error.js';
import { ChannelAdderService } from './channel-adder.service.js';

/** The handler does not read its delivery; any stands in. */
const DELIVERY = {} as Delivery<Operands, number>;

describe('ChannelAdderService', () => {
  describe('add', () => {
    it('replies with the sum', () => {
      const adder = new ChannelAdderService(new CrashInjector({ rate: 0, seed: 1 }));

      expect(adder.add({ a: 1.25, b: -3 }, DELIVERY)).toBe(-1.75);
    });

    it('throws the injected crash, which fails the delivery', () => {
      const crashes = new CrashInjector({ rate: 1, seed: 1 });
      const adder = new ChannelAdderService(crashes);

      expect(() => adder.add({ a: 1, b: 2 }, DELIVERY)).toThrow(InjectedCrashError);
      expect(crashes.crashes('second-degree')).toBe(1);
    });
  });
});
