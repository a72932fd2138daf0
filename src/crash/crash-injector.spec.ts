import { describe, expect, it } from 'vitest';

import { CrashInjector, type CrashSite } from './crash-injector.js';
import { InjectedCrashError } from './injected-crash-error.js';

/** Calls `maybeCrash` `times` times; returns which calls crashed. Any other error escapes. */
function roll(injector: CrashInjector, times: number, site: CrashSite = 'first-degree'): boolean[] {
  return Array.from({ length: times }, () => {
    try {
      injector.maybeCrash(site);
      return false;
    } catch (error) {
      if (error instanceof InjectedCrashError) return true;
      throw error;
    }
  });
}

describe('CrashInjector', () => {
  it('never crashes at rate 0', () => {
    const injector = new CrashInjector({ rate: 0, seed: 1 });

    expect(roll(injector, 1_000)).not.toContain(true);
    expect(injector.crashes('first-degree')).toBe(0);
  });

  it('always crashes at rate 1, counting each crash', () => {
    const injector = new CrashInjector({ rate: 1, seed: 1 });

    expect(roll(injector, 100)).not.toContain(false);
    expect(injector.crashes('first-degree')).toBe(100);
  });

  it('crashes about as often as its rate', () => {
    const injector = new CrashInjector({ rate: 0.1, seed: 7 });

    const crashes = roll(injector, 10_000).filter(Boolean).length;

    expect(crashes).toBeGreaterThan(800);
    expect(crashes).toBeLessThan(1_200);
    expect(injector.crashes('first-degree')).toBe(crashes);
  });

  it('repeats the same crashes for the same seed', () => {
    const first = roll(new CrashInjector({ rate: 0.3, seed: 42 }), 200);
    const second = roll(new CrashInjector({ rate: 0.3, seed: 42 }), 200);

    expect(second).toEqual(first);
  });

  it("keeps each site's crashes independent of the other site's load", () => {
    const quiet = new CrashInjector({ rate: 0.3, seed: 5 });
    const busy = new CrashInjector({ rate: 0.3, seed: 5 });
    roll(busy, 500, 'second-degree');

    expect(roll(busy, 200)).toEqual(roll(quiet, 200));
    expect(busy.crashes('second-degree')).toBeGreaterThan(0);
    expect(quiet.crashes('second-degree')).toBe(0);
  });

  it('says in its message that the crash is on purpose, and where', () => {
    const injector = new CrashInjector({ rate: 1, seed: 1 });

    expect(() => injector.maybeCrash('second-degree')).toThrow(
      'Injected crash (second-degree): the demo crashes workers on purpose',
    );
  });
});
