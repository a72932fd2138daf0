import { channelCore } from './channel.js';
import type { Channel } from './channel.js';
import type { ChannelCore } from './channel-core.js';
import type { ChannelDelivery } from './channel-delivery.js';
import type { Delivery } from './delivery.js';
import { MAX_TIMER_MS } from '../backoff/backoff.js';
import { HandlerTimeoutError } from '../errors/handler-timeout-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { toError } from '../errors/thrown-value-error.js';
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

const TIMED_OUT = Symbol('timed out');

/** How a handler's promise settled, or that it did not in time. */
type Settled<TReply> = { readonly value: TReply } | { readonly error: unknown } | typeof TIMED_OUT;

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
 *   closed and drained.
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
  const erased = handler as unknown as ChannelHandler<unknown, unknown>;
  return (ctx: TaskContext) => runHandler(core, erased, timeoutMs, ctx);
}

async function runHandler(
  core: ChannelCore<unknown, unknown>,
  handler: ChannelHandler<unknown, unknown>,
  timeoutMs: number | undefined,
  ctx: TaskContext,
): Promise<void> {
  const consumer = core.openConsumer(ctx, false);
  for (;;) {
    let delivery = consumer.tryTake();
    if (delivery === undefined) {
      if (consumer.finished) return;
      delivery = await consumer.take();
      if (delivery === undefined) return;
    }
    let result: unknown;
    let pending: Promise<unknown> | undefined;
    try {
      result = handler(delivery.body, delivery);
      if (isPromiseLike(result)) pending = Promise.resolve(result);
    } catch (error) {
      failDelivery(core, delivery, error);
      continue;
    }
    if (pending === undefined) {
      core.handled(delivery, result);
      continue;
    }
    const settled = await (timeoutMs === undefined
      ? settle(pending)
      : settleWithin(pending, timeoutMs));
    if (settled === TIMED_OUT) {
      const hung = new HandlerTimeoutError(core.name, delivery.id, timeoutMs as number);
      core.reportAbandoned(delivery, timeoutMs as number);
      failDelivery(core, delivery, hung);
      throw hung;
    }
    if ('value' in settled) core.handled(delivery, settled.value);
    else failDelivery(core, delivery, settled.error);
  }
}

/** Fails a delivery; after the run's stop was requested, puts it back uncounted instead. */
function failDelivery(
  core: ChannelCore<unknown, unknown>,
  delivery: ChannelDelivery<unknown, unknown>,
  error: unknown,
): void {
  if (delivery.lease.ended) core.failed(delivery, undefined, false);
  else core.failed(delivery, toError(error), true);
}

function isPromiseLike<TValue>(value: TValue | PromiseLike<TValue>): value is PromiseLike<TValue> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<TValue>).then === 'function'
  );
}

function settle<TReply>(promise: Promise<TReply>): Promise<Settled<TReply>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** Settles like {@link settle}, or with `TIMED_OUT` after `timeoutMs`; a late result is ignored. */
function settleWithin<TReply>(
  promise: Promise<TReply>,
  timeoutMs: number,
): Promise<Settled<TReply>> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs, TIMED_OUT);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ error });
      },
    );
  });
}
