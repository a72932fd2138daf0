import type { GroupListener } from './group-events.js';
import type { StopReport } from './stop-report.js';
import type { GroupGaveUpError } from '../errors/group-gave-up-error.js';

/** What {@link runInScope} needs of a group. */
export interface ScopedGroup {
  on(listener: GroupListener): () => void;
  start(): void;
  stop(): Promise<StopReport>;
}

/** What a scope waits for first: its work settling, or the group giving up. */
type ScopeEnd<TResult> =
  | { readonly kind: 'resolved'; readonly value: TResult }
  | { readonly kind: 'rejected'; readonly error: unknown }
  | { readonly kind: 'gave-up'; readonly error: GroupGaveUpError };

/**
 * Runs `work` alongside `group`; the behaviour of `TaskGroup.scope`, documented there.
 * A rejection of `work` after the group gave up is handled (ignored), never left unhandled.
 */
export async function runInScope<TResult>(
  group: ScopedGroup,
  work: Promise<TResult> | ((signal: AbortSignal) => Promise<TResult>),
): Promise<TResult> {
  let endGaveUp!: (end: ScopeEnd<TResult>) => void;
  const gaveUp = new Promise<ScopeEnd<TResult>>((resolve) => {
    endGaveUp = resolve;
  });
  const unsubscribe = group.on((event) => {
    if (event.type === 'gave-up') {
      endGaveUp({ kind: 'gave-up', error: event.error as GroupGaveUpError });
    }
  });
  group.start();

  let controller: AbortController | undefined;
  let pending: Promise<TResult>;
  if (typeof work === 'function') {
    controller = new AbortController();
    try {
      pending = Promise.resolve(work(controller.signal));
    } catch (error) {
      pending = Promise.reject(error);
    }
  } else {
    pending = Promise.resolve(work);
  }
  const settled = pending.then(
    (value): ScopeEnd<TResult> => ({ kind: 'resolved', value }),
    (error: unknown): ScopeEnd<TResult> => ({ kind: 'rejected', error }),
  );

  const end = await Promise.race([settled, gaveUp]);
  unsubscribe();
  if (end.kind === 'gave-up') controller?.abort(end.error);
  await group.stop();

  if (end.kind === 'resolved') return end.value;
  throw end.error;
}
