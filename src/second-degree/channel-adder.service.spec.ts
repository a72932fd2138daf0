import type { Delivery } from 'nestjs-stage';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { Operands } from '../adder/addition.js';
import { CrashInjector } from '../crash/crash-injector.js';
import { InjectedCrashError } from '../crash/injected-crash-error.js';
import { ChannelAdderService } from './channel-adder.service.js';

/** A delivery whose task is not asked to stop; the handler reads only its signal. */
function delivery(signal = new AbortController().signal): Delivery<Operands, number> {
  return { signal } as Delivery<Operands, number>;
}

function adder(crashRate: number, workMs = 0): [ChannelAdderService, CrashInjector] {
  const crashes = new CrashInjector({ rate: crashRate, seed: 1 });
  return [new ChannelAdderService(crashes, { workMs }), crashes];
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ChannelAdderService', () => {
  describe('add', () => {
    it('replies with the sum', () => {
      const [service] = adder(0);

      expect(service.add({ a: 1.25, b: -3 }, delivery())).toBe(-1.75);
    });

    it('throws the injected crash, which fails the delivery', () => {
      const [service, crashes] = adder(1);

      expect(() => service.add({ a: 1, b: 2 }, delivery())).toThrow(InjectedCrashError);
      expect(crashes.crashes('second-degree')).toBe(1);
    });

    it('replies after its work time when it has one', async () => {
      vi.useFakeTimers();
      const [service] = adder(0, 10);
      let reply: number | undefined;

      void Promise.resolve(service.add({ a: 1, b: 2 }, delivery())).then((sum) => (reply = sum));
      await vi.advanceTimersByTimeAsync(9);
      expect(reply).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);

      expect(reply).toBe(3);
    });

    it('stops working when its task must stop, so that the delivery goes back uncounted', async () => {
      const [service] = adder(0, 60_000);
      const stop = new AbortController();

      const reply = service.add({ a: 1, b: 2 }, delivery(stop.signal));
      stop.abort(new Error('stopping'));

      await expect(reply).rejects.toThrow('stopping');
    });
  });
});
