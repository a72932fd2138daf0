import type { ChannelStorage } from './channel-storage.js';
import type { BackoffOptions } from '../backoff/backoff-options.js';

/**
 * What a full channel does with a new message:
 * - `wait` (the default): backpressure; the send waits for room, honouring its signal.
 * - `reject`: the send rejects with `ChannelFullError`; the message is not accepted.
 * - `drop-oldest`: the oldest buffered message is dropped to make room (reported).
 * - `drop-newest`: the new message is dropped (reported); its send still resolves.
 *
 * A dropped request is rejected with `ChannelFullError`, never left hanging.
 */
export type OverflowMode = 'wait' | 'reject' | 'drop-oldest' | 'drop-newest';

export const OVERFLOW_MODES: readonly OverflowMode[] = [
  'wait',
  'reject',
  'drop-oldest',
  'drop-newest',
];

/** How a channel buffers, redelivers and stores messages. Validated once, at construction. */
export interface ChannelOptions<TMessage> {
  /** Names the channel in events, errors and the registry. Required, non-empty. */
  readonly name: string;
  /** How many messages may wait in the buffer (not in flight); an integer >= 1, default 1024. */
  readonly capacity?: number;
  /** What a full channel does with a new message; default `'wait'`. */
  readonly overflow?: OverflowMode;
  /**
   * How many failed deliveries a message gets before it is dead-lettered; an integer >= 1,
   * default 5. Deliveries interrupted by a stop are not counted.
   */
  readonly maxDeliveries?: number;
  /**
   * The wait before a failed message is delivered again, growing with its failed deliveries: the
   * same jittered exponential backoff as task restarts, with the same defaults (100 ms to 30 s),
   * where the n-th consecutive failure is the message's n-th failed delivery. `resetAfterMs` does
   * not apply. A wait of 0 requeues the message at once, behind the messages already buffered.
   */
  readonly redelivery?: BackoffOptions;
  /**
   * How many dead letters the default in-memory storage keeps; an integer >= 0, default 1024.
   * When full, the oldest is evicted, counted (`deadLettersEvicted`) and reported
   * (`dead-letter-evicted`). Not allowed with `storage`: configure the storage instead.
   */
  readonly deadLetterCapacity?: number;
  /**
   * How long `close()` waits for consumers to drain, by default, in ms: from 0 to 2^31 - 1 (the
   * longest timer Node arms); default 5000.
   */
  readonly drainTimeoutMs?: number;
  /** Where messages are kept; default: in memory, in this process. */
  readonly storage?: ChannelStorage<TMessage>;
}
