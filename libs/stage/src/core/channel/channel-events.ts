import type { ChannelCloseReport } from './channel-close-report.js';
import type { DeadLetter } from './dead-letter.js';
import type { MessageId } from './message-id.js';

/** Fields every channel event carries. */
interface ChannelEventBase {
  /** The channel's name. */
  readonly channel: string;
}

/** Everything a channel reports, discriminated by `type`. */
export type ChannelEvent =
  | (ChannelEventBase & {
      /** An opt-in overflow mode dropped a message (a dropped request is rejected too). */
      readonly type: 'dropped';
      readonly id: MessageId;
      readonly overflow: 'drop-oldest' | 'drop-newest';
    })
  | (ChannelEventBase & {
      /** A message was put back for another delivery. */
      readonly type: 'redelivered';
      readonly id: MessageId;
      /** The number the next delivery will have. */
      readonly deliveryCount: number;
      /** The wait before it is deliverable again, in ms (0 after a stop). */
      readonly delayMs: number;
      /** The failed delivery's error, or `undefined` when a stop interrupted it (not counted). */
      readonly error: Error | undefined;
    })
  | (ChannelEventBase & { readonly type: 'dead-lettered'; readonly letter: DeadLetter<unknown> })
  | (ChannelEventBase & {
      /** The dead letters were full: the oldest one was evicted to make room. */
      readonly type: 'dead-letter-evicted';
      readonly letter: DeadLetter<unknown>;
    })
  | (ChannelEventBase & {
      /**
       * A request ended as withdrawn. `reason` is what its sender got, when it was told now
       * (undefined when it had stopped waiting before: timed out or aborted). `error` is the
       * failure of the delivery that ended it, when its handler failed after its sender had
       * stopped waiting: the request is not redelivered, and this is the only trace of that error.
       */
      readonly type: 'withdrawn';
      readonly id: MessageId;
      readonly reason: unknown;
      readonly error?: Error;
    })
  | (ChannelEventBase & {
      /** A handler exceeded `handlerTimeoutMs`; its promise is abandoned, its result ignored. */
      readonly type: 'handler-abandoned';
      readonly id: MessageId;
      readonly deliveryCount: number;
      readonly timeoutMs: number;
    })
  | (ChannelEventBase & {
      /** A request was handled after its sender had stopped waiting; the reply was dropped. */
      readonly type: 'late-reply-ignored';
      readonly id: MessageId;
    })
  | (ChannelEventBase & {
      /**
       * Shared storages: a message this process ended had already been settled by a replica that
       * claimed it; this late acknowledgement changed nothing (counted in `duplicates`). After a
       * `dead-lettered` event for the same message, it means that no dead letter was recorded.
       */
      readonly type: 'duplicate';
      readonly id: MessageId;
    })
  | (ChannelEventBase & {
      /** Dead letters were put back into the channel. */
      readonly type: 'replayed';
      readonly ids: readonly MessageId[];
    })
  | (ChannelEventBase & { readonly type: 'closing' })
  | (ChannelEventBase & { readonly type: 'closed'; readonly report: ChannelCloseReport })
  | (ChannelEventBase & {
      /**
       * The storage failed: to release its resources at close (the close still completed), or,
       * for a shared storage, at a background operation (reading, acknowledging, reclaiming).
       */
      readonly type: 'storage-failed';
      readonly error: Error;
    })
  | (ChannelEventBase & {
      /**
       * A user callback threw (`hook` is `listener` for an event listener, `redelivery.random`
       * for the backoff's random source); the channel carried on. A listener throwing on this
       * event is not reported again.
       */
      readonly type: 'hook-failed';
      readonly hook: string;
      readonly error: Error;
    });

export type ChannelEventType = ChannelEvent['type'];

/** A listener of channel events. A listener that throws is reported as `hook-failed`. */
export type ChannelListener = (event: ChannelEvent) => void;
