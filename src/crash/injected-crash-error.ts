/**
 * The failure the demo injects on purpose into a worker that holds a request, to show what
 * supervision does with it. Nothing is wrong when you see it in the logs.
 */
export class InjectedCrashError extends Error {
  constructor(
    /** Where the crash was injected, for example `first-degree`. */
    readonly site: string,
  ) {
    super(`Injected crash (${site}): the demo crashes workers on purpose; see --crash-rate.`);
    this.name = 'InjectedCrashError';
  }
}
