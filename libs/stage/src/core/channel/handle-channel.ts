import { channelCore } from './channel.js';
import type { Channel } from './channel.js';
import type { Delivery } from './delivery.js';
import { HandlerRun, type HandlerSpec } from './handler-run.js';
import { MAX_TIMER_MS } from '../backoff/backoff.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { directTask } from '../group/direct-task.js';
import type { TaskContext } from '../group/task-context.js';

/**
 * Handles one message in handler mode. Its return value (or what its promise resolves to) is the
 * reply to a request; a throw (or rejection) fails this delivery only.
 */
export type ChannelHandler<TMessage, TReply> = (
  body: TMessage,
  delivery: Delivery<TMessage, TReply>,
) => TReply | PromiseLike<TReply>;

/** Options of {@link handleChannel}. */
export interface ChannelHandlerOptions {
  /**
   * How long one call of the handler may take, in ms: more than 0, at most 2^31 - 1 (the longest
   * timer Node arms). Past it the handler is treated as hung (see {@link handleChannel}). Default:
   * no limit, and no timer per message.
   */
  readonly handlerTimeoutMs?: number;
}

/**
 * Handler mode: builds the task for a group that consumes `channel` by calling `handler` once per
 * message. Stage owns the loop; give the task to a `TaskGroup` (its `size` is the concurrency).
 *
 * - **Success.** The handler's return value settles the delivery as handled and is the reply to
 *   a request. A handler that returns synchronously is called again without yielding, as long as
 *   messages are ready, until the channel has handed out messages for 5 ms without a yield: then
 *   the task yields to the event loop once (`setImmediate`), so that a handler feeding its own
 *   channel, or one that returns at once, never keeps timers, I/O or a stop out.
 * - **Failure.** A throw fails that delivery only: the delivery counts, the message is redelivered
 *   after its redelivery delay (or dead-lettered after `maxDeliveries`, with this error), and the
 *   task goes on with other messages meanwhile.
 * - **Hung handler.** Past `handlerTimeoutMs` the delivery fails with `HandlerTimeoutError` (it
 *   counts), a `handler-abandoned` event reports the abandoned promise, and the task ends failed
 *   with that error so that its group replaces it. The abandoned promise's late result is
 *   ignored, its rejection included.
 * - **Cancellation.** When the task is asked to stop, it finishes the handler call in progress
 *   (the handler should honour `delivery.signal`) and ends. A handler that throws, or hangs past
 *   its timeout, after the stop was requested has its delivery put back uncounted: a delivery
 *   interrupted by a stop does not count. The task also ends, completed, once the channel has
 *   closed and drained. Under `restart: 'always'` its group would then restart it into a closed
 *   channel until it gives up: stop the group before closing its channel (the Nest integration
 *   does), or keep the default `on-failure`.
 *
 * @throws InvalidOptionError naming `channel "<name>" handler` for a bad handler or option.
 */
export function handleChannel<TMessage, TReply>(
  channel: Channel<TMessage, TReply>,
  handler: ChannelHandler<TMessage, TReply>,
  options: ChannelHandlerOptions = {},
): (ctx: TaskContext) => Promise<void> {
  const core = channelCore(channel as Channel<unknown, unknown>);
  const owner = `channel "${core.name}" handler`;
  if (typeof handler !== 'function') {
    throw new InvalidOptionError(owner, 'handler', handler, 'a function (body, delivery) => reply');
  }
  const timeoutMs: unknown = options?.handlerTimeoutMs;
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== 'number' ||
      Number.isNaN(timeoutMs) ||
      timeoutMs <= 0 ||
      timeoutMs > MAX_TIMER_MS)
  ) {
    const expected = `a finite number > 0, at most ${MAX_TIMER_MS}`;
    throw new InvalidOptionError(owner, 'handlerTimeoutMs', timeoutMs, expected);
  }
  const spec: HandlerSpec = {
    core,
    handler: handler as unknown as HandlerSpec['handler'],
    timeoutMs: timeoutMs as number | undefined,
  };
  return directTask((ctx, end) => {
    new HandlerRun(spec, core.openLease(ctx), end).start();
  }) as (ctx: TaskContext) => Promise<void>;
}
