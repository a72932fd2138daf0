import type { Channel } from '../core/channel/channel.js';

/** What a watch reports when the process is about to end with messages no consumer ever took. */
export type StuckBootstrapReport = (
  stuck: readonly { readonly name: string; readonly buffered: number }[],
) => void;

/** The applications whose bootstrap is watched, each with its channels and its report. */
const watched = new Map<
  object,
  { channels: () => Iterable<[string, Channel<unknown, unknown>]>; report: StuckBootstrapReport }
>();

/**
 * Watches one application's channels until it closes: if the process is about to exit
 * (`beforeExit`: nothing is left to run) while channels whose consumers never started hold
 * messages, the likely cause is a request awaited during the bootstrap (in a provider factory,
 * `onModuleInit` or `onApplicationBootstrap`), which waits for consumers that start only later in
 * the bootstrap, so Node ends the process with nothing printed. `report` says so first. Internal.
 *
 * One `beforeExit` listener serves every watched application; it is removed once none is.
 * Returns the function that ends the watch (at close).
 */
export function watchBootstrap(
  key: object,
  channels: () => Iterable<[string, Channel<unknown, unknown>]>,
  report: StuckBootstrapReport,
): () => void {
  if (watched.size === 0) process.on('beforeExit', reportStuck);
  watched.set(key, { channels, report });
  return () => {
    if (!watched.delete(key)) return;
    if (watched.size === 0) process.off('beforeExit', reportStuck);
  };
}

function reportStuck(): void {
  for (const [key, { channels, report }] of [...watched]) {
    watched.delete(key);
    const stuck = [...channels()]
      .filter(([, channel]) => channel.state.kind === 'not-started')
      .map(([name, channel]) => ({ name, buffered: channel.stats().buffered }))
      .filter(({ buffered }) => buffered > 0);
    if (stuck.length > 0) report(stuck);
  }
  process.off('beforeExit', reportStuck);
}
