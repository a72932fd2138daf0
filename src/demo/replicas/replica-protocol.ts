import type { ReplicaCounters } from './replica-counters.js';

/**
 * What a replica tells the demo, over the IPC channel of its process:
 * - `ready`: it listens on `url`, and reads the channel as Redis consumer `consumer`.
 * - `counters`: its counters, every `COUNTERS_EVERY_MS` while it runs; the last one is all the
 *   demo knows of a replica killed with `SIGKILL`.
 * - `closed`: its application closed gracefully; its final counters.
 * - `failed`: it could not start or close; `message` says why.
 */
export type ReplicaMessage =
  | { readonly kind: 'ready'; readonly url: string; readonly consumer: string }
  | { readonly kind: 'counters'; readonly counters: ReplicaCounters }
  | { readonly kind: 'closed'; readonly counters: ReplicaCounters }
  | { readonly kind: 'failed'; readonly message: string };

/** What the demo tells a replica: `close`, to close its application gracefully. */
export type ReplicaCommand = { readonly kind: 'close' };

/** How often a running replica sends its counters, in ms. */
export const COUNTERS_EVERY_MS = 100;

const MESSAGE_KINDS: ReadonlySet<string> = new Set(['ready', 'counters', 'closed', 'failed']);

/** Whether `value`, received over IPC, is a {@link ReplicaMessage} (by its `kind`). */
export function isReplicaMessage(value: unknown): value is ReplicaMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    typeof value.kind === 'string' &&
    MESSAGE_KINDS.has(value.kind)
  );
}

/** Whether `value`, received over IPC, is a {@link ReplicaCommand}. */
export function isReplicaCommand(value: unknown): value is ReplicaCommand {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'close';
}
