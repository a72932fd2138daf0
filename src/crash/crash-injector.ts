import { seededRandom } from 'nestjs-stage';

import { InjectedCrashError } from './injected-crash-error.js';

/** Where crashes are injected: one place per degree of the adder, and the pipeline's auditor. */
export type CrashSite = 'first-degree' | 'second-degree' | 'pipeline';

/** What each site's generator adds to the seed, so that the sites draw different sequences. */
const SEED_OFFSET: Readonly<Record<CrashSite, number>> = {
  'first-degree': 0.25,
  'second-degree': 0.5,
  pipeline: 0.75,
};

/** Options of {@link CrashInjector}; validated by `resolveAppOptions`. */
export interface CrashInjectorOptions {
  /** The chance that a call to `maybeCrash` throws, from 0 (never) to 1 (always). */
  readonly rate: number;
  /** Seeds the random source, so that a run's sequence of crashes can be repeated. */
  readonly seed: number;
}

/**
 * Makes workers crash at a given rate, from a seeded random source, and counts the crashes.
 *
 * Each site draws from its own generator (seeded from `seed` and the site), so the crashes of
 * one site do not depend on how much work the others did. Provided once for the whole
 * application by `CrashModule`.
 */
export class CrashInjector {
  readonly rate: number;
  /** The seed each site's generator derives from. */
  private readonly seed: number;
  /** One generator per site, created on first use. */
  private readonly randomBySite = new Map<CrashSite, () => number>();
  /** Crashes injected so far, per site; only grows. */
  private readonly crashesBySite = new Map<CrashSite, number>();

  constructor({ rate, seed }: CrashInjectorOptions) {
    this.rate = rate;
    this.seed = seed;
  }

  /**
   * Throws an {@link InjectedCrashError} with probability `rate`, counting it, and returns
   * otherwise. Call it where a crash hurts most: while a worker holds a request.
   */
  maybeCrash(site: CrashSite): void {
    if (this.rate === 0 || this.randomFor(site)() >= this.rate) return;

    this.crashesBySite.set(site, this.crashes(site) + 1);
    throw new InjectedCrashError(site);
  }

  /** How many crashes were injected at `site` so far. */
  crashes(site: CrashSite): number {
    return this.crashesBySite.get(site) ?? 0;
  }

  private randomFor(site: CrashSite): () => number {
    let random = this.randomBySite.get(site);
    if (random === undefined) {
      random = seededRandom(this.seed + SEED_OFFSET[site]);
      this.randomBySite.set(site, random);
    }
    return random;
  }
}
