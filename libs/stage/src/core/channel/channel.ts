import type { CloseOptions, RequestOptions, SendOptions } from './channel-call-options.js';
import type { ChannelAdmission } from './channel-admission.js';
import type { ChannelCloseReport } from './channel-close-report.js';
import { ChannelCore } from './channel-core.js';
import type { ChannelListener } from './channel-events.js';
import type { ChannelOptions, OverflowMode } from './channel-options.js';
import type { ChannelState } from './channel-state.js';
import type { ChannelStats } from './channel-stats.js';
import type { DeadLetter } from './dead-letter.js';
import type { Delivery } from './delivery.js';
import type { MessageId } from './message-id.js';
import { callOptions, signalOption } from './channel-call-options.js';
import { resolveChannelOptions, timerMsAtLeast } from './resolve-channel-options.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { TaskContext } from '../group/task-context.js';
import { taskRunHooks } from '../group/task-run-hooks.js';

/** The engine, type-erased so that any `Channel<X, Y>` is a `Channel<unknown, unknown>`. */
type ErasedCore = ChannelCore<unknown, unknown>;

/** The engine's sending side, erased the same way. */
type ErasedAdmission = ChannelAdmission<unknown, unknown>;

let coreOf: (channel: Channel<unknown, unknown>) => ErasedCore;

/**
 * A restart-safe mailbox owned by Stage, not by the tasks that read it: consumers come and go, the
 * channel and its messages stay. Every accepted message ends in exactly one counted way (see
 * {@link ChannelStats}): nothing disappears unreported.
 *
 * **Consuming.** In loop mode a task iterates `channel.consume(ctx)`; in handler mode
 * `handleChannel(channel, handler)` builds the task and Stage owns the loop. Either way a message
 * is in flight from the moment a task takes it until the task is done with it, and a throw fails
 * what it was doing (see {@link Delivery}).
 *
 * **Ordering.** First deliveries leave the channel in send order. With several consumers, or
 * after a redelivery, no order is promised: write idempotent handlers, keyed by the message id.
 *
 * **Messages** are passed by reference in memory: treat them as immutable. Transports that cross
 * processes serialize them.
 *
 * **Restart.** A task that fails while holding a message has it redelivered (the delivery counts);
 * a task stopped while holding one has it put back first in line (the delivery does not count).
 * The channel does not restart anything itself: the task group running its consumers does.
 *
 * **Failure.** Bad options throw `InvalidOptionError` at construction, naming
 * `channel "<name>"`. A listener that throws is reported as `hook-failed` and changes nothing.
 *
 * @example
 * const adder = new Channel<{ a: number; b: number }, number>({ name: 'adder' });
 * const task = handleChannel(adder, ({ a, b }) => a + b);
 * const group = new TaskGroup({ name: 'adder', size: 4, task });
 * group.start();
 * await adder.request({ a: 1, b: 2 }, { timeoutMs: 1000 }); // 3
 */
export class Channel<TMessage, TReply = void> {
  /**
   * The engine; the public methods below only delegate to it. Its type is erased so that the
   * channel's own type parameters are measured from its public surface alone.
   */
  readonly #core: ErasedCore;
  /** The engine's sending side (`#core.admission`), at hand for the sending methods. */
  readonly #admission: ErasedAdmission;

  static {
    coreOf = (channel) => channel.#core;
  }

  constructor(options: ChannelOptions<TMessage>) {
    this.#core = new ChannelCore(resolveChannelOptions(options)) as unknown as ErasedCore;
    this.#admission = this.#core.admission;
  }

  /** The channel's name. */
  get name(): string {
    return this.#core.name;
  }

  /** How many messages may be buffered. */
  get capacity(): number {
    return this.#core.capacity;
  }

  /** What a full channel does with a new message. */
  get overflow(): OverflowMode {
    return this.#core.overflow;
  }

  /** Where the channel is in its life. */
  get state(): ChannelState {
    return this.#core.state;
  }

  /**
   * Sends a one-way message. Resolves with its id once the channel has accepted it (buffered, or
   * handed to a waiting consumer), not once it is handled.
   *
   * When the channel is full, the `overflow` mode applies. In `wait` mode the send waits, in
   * order with other waiting senders; aborting its `signal` gives its place back and rejects
   * with the signal's reason. Waiting senders are let in once the buffer has drained by an eighth
   * of its capacity (at least one message), so that a producer outpacing its consumers wakes once
   * per batch rather than once per message; a new send queues behind them meanwhile.
   *
   * Before consumers have started (see {@link Channel.markStarted}), a send that would have to
   * wait rejects with `ChannelNotStartedError` instead, so that a full channel cannot deadlock
   * the bootstrap.
   *
   * @throws (rejects) `ChannelClosedError` at once after `close()`, also for the senders waiting
   * at that moment; `ChannelFullError` in `reject` mode; the signal's reason; `InvalidOptionError`
   * for options that are not an object or a `signal` that is not an `AbortSignal` (nothing is
   * accepted then).
   */
  send(body: TMessage, options?: SendOptions): Promise<MessageId> {
    if (options === undefined) return this.#admission.send(body, undefined);
    let signal: AbortSignal | undefined;
    try {
      signal = signalOption(this.#core.name, 'send', callOptions(this.#core.name, 'send', options));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#admission.send(body, signal);
  }

  /**
   * Sends a one-way message if that needs no waiting: the synchronous fast path of
   * {@link Channel.send} for producers that send in bulk. Returns true once the message is
   * accepted (its id is then only known to consumers), or false when the channel is full and its
   * overflow mode would not take the message at once (`wait`, `reject`): nothing was accepted,
   * and the producer may `await send()` to wait for room. Drop modes apply as in `send` (the
   * message counts as accepted, then dropped, and true is returned).
   *
   * @example
   * for (const job of jobs) if (!channel.trySend(job)) await channel.send(job);
   *
   * @throws `ChannelClosedError` once `close()` has been called.
   */
  trySend(body: TMessage): boolean {
    return this.#admission.trySend(body);
  }

  /**
   * Sends a message and waits for its reply: the value its handler returns (handler mode), or
   * gives to `delivery.ack(reply)` (loop mode). Admission is the same as {@link Channel.send}.
   *
   * **Timeout and abort.** A request that times out, or whose signal fires, while it is still
   * buffered or waiting for a redelivery is withdrawn (counted as such); once a handler holds it,
   * the handler may still finish, and its late reply is ignored (`late-reply-ignored`). If that
   * delivery fails, the request is withdrawn rather than redelivered: nobody waits for it. The
   * signal's listener and the timer are removed as soon as the request settles.
   *
   * @throws (rejects) `RequestTimeoutError`; `DeadLetteredError` after `maxDeliveries` failed
   * deliveries, with the last error as `cause`; `ChannelClosedError` when sent after `close()`
   * or left over when the drain ended; `ChannelFullError` when refused or dropped by the overflow
   * mode; `ChannelNotStartedError` when the channel is full before its consumers have started (in
   * `wait` mode); the signal's reason; `InvalidOptionError` for options that are not an object, a
   * `timeoutMs` out of range or a `signal` that is not an `AbortSignal` (nothing is accepted then).
   */
  request(body: TMessage, options?: RequestOptions): Promise<TReply> {
    let timeoutMs: number | undefined;
    let signal: AbortSignal | undefined;
    try {
      const checked = callOptions(this.#core.name, 'request', options);
      if (checked?.timeoutMs !== undefined) {
        const owner = `channel "${this.#core.name}" request`;
        timeoutMs = timerMsAtLeast(owner, 'timeoutMs', checked.timeoutMs, 0, 0);
      }
      signal = signalOption(this.#core.name, 'request', checked);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#admission.request(body, timeoutMs, signal) as Promise<TReply>;
  }

  /**
   * Loop mode: the messages of the channel for the task run of `ctx`, as an async iterable.
   *
   * Taking the next message settles the previous one as handled unless it was settled before
   * (`ack`, `fail`). A message still held when the run ends settles by the run's outcome:
   * completed → handled; failed → redelivered after its delay, the delivery counted (dead-lettered
   * after `maxDeliveries`); stopped → put back first in line, not counted. A `break` or a throw out
   * of `for await` leaves the held message to that outcome.
   *
   * **Cancellation.** The iteration ends when the run is asked to stop (no `AbortController` is
   * created for it), when the run has already ended, or when the channel has closed and drained. A
   * waiting iteration is woken at once. With a context not made by a `TaskGroup`, the stop is
   * read from `ctx.signal` (listened to only while the iteration waits, one listener per signal
   * and channel) and the outcome is unknown: closing the iterator puts the held message back,
   * uncounted.
   *
   * **Fairness.** Once the channel has handed out messages for 5 ms since a consumer last yielded
   * (read every 128 deliveries), the next message waits for one turn of the event loop
   * (`setImmediate`), so that a consumer that feeds its own channel never keeps timers, I/O or a
   * stop out.
   *
   * The first consumer marks the channel started.
   *
   * @throws InvalidOptionError when `ctx` is not a task context.
   */
  consume(ctx: TaskContext): AsyncIterable<Delivery<TMessage, TReply>> {
    this.#checkContext('consume', ctx);
    return this.#core.openConsumer(ctx) as AsyncIterable<Delivery<TMessage, TReply>>;
  }

  /**
   * Takes one message for the task run of `ctx`, waiting for one; `undefined` at once, taking
   * nothing, when the run must stop or has already ended, and once the channel has closed and
   * drained. Unlike {@link Channel.consume}, nothing settles the delivery but `ack`, `fail` or the
   * end of the run, so a run may hold several at once. Cancellation and fairness are as in
   * `consume`.
   *
   * @throws InvalidOptionError when `ctx` is not a task context (thrown, not rejected).
   */
  receive(ctx: TaskContext): Promise<Delivery<TMessage, TReply> | undefined> {
    this.#checkContext('receive', ctx);
    return this.#core.openConsumer(ctx).take() as Promise<Delivery<TMessage, TReply> | undefined>;
  }

  /**
   * @throws InvalidOptionError when `ctx` is not a task context: neither made by a group nor an
   * object whose `signal` is an `AbortSignal` (how a context made elsewhere is stopped).
   */
  #checkContext(method: string, ctx: unknown): void {
    if (ctx !== null && typeof ctx === 'object') {
      if (taskRunHooks(ctx as TaskContext) !== undefined) return;
      if ((ctx as { signal?: unknown }).signal instanceof AbortSignal) return;
    }
    throw new InvalidOptionError(
      `channel "${this.#core.name}"`,
      `${method}(ctx)`,
      ctx,
      'the TaskContext the task received (pass the argument of your task)',
    );
  }

  /**
   * Says that consumers are starting now: from here on, a send to a full channel in `wait` mode
   * waits instead of failing with `ChannelNotStartedError`. The first consumer does this too; the
   * Nest integration calls it when the application starts its consumers.
   */
  markStarted(): void {
    this.#core.markStarted();
  }

  /**
   * Closes the channel. From this call on, sends and requests reject at once with
   * `ChannelClosedError`, and so do senders waiting for room. Consumers drain what is buffered
   * (redeliveries included) within the deadline; then iterations end. What is left at the
   * deadline is returned to its senders (requests reject with `ChannelClosedError`, counted as
   * withdrawn) or, for one-way messages, dead-lettered with a `ClosedBeforeDeliveryError` cause,
   * so that it stays visible (a durable storage keeps them instead, counted as stored). Messages
   * still in a task's hands settle when the task lets go.
   *
   * A channel whose consumers never started closes at once. Idempotent: later calls return the
   * first call's report. Never rejects, except with `InvalidOptionError` for options that are not
   * an object or a `timeoutMs` out of range (from 0 to 2^31 - 1); the channel is left as it was.
   */
  close(options?: CloseOptions): Promise<ChannelCloseReport> {
    let timeoutMs: number;
    try {
      timeoutMs = timerMsAtLeast(
        `channel "${this.#core.name}" close`,
        'timeoutMs',
        callOptions(this.#core.name, 'close', options)?.timeoutMs,
        0,
        this.#core.drainTimeoutMs,
      );
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#core.close(timeoutMs);
  }

  /** The ledger: a snapshot of the counters (the invariant is on {@link ChannelStats}). */
  stats(): ChannelStats {
    return this.#core.stats();
  }

  /** The dead letters held, oldest first: a snapshot. */
  deadLetters(): readonly DeadLetter<TMessage>[] {
    return this.#core.deadLetters() as readonly DeadLetter<TMessage>[];
  }

  /**
   * Puts dead letters back into the channel (those with the given ids, or all), with their ids
   * kept and their delivery count reset. Each replay counts as a new acceptance (`accepted` and
   * `replayed` grow; `deadLettered` keeps counting the earlier dead-lettering). Replays are
   * appended even past `capacity`, and go back as one-way messages: a request's sender is gone.
   * Unknown ids are ignored. Returns the ids replayed.
   *
   * @throws `ChannelClosedError` once `close()` has been called; `InvalidOptionError` when `ids`
   * is neither an array of message ids nor `undefined` (nothing is replayed then).
   */
  replayDeadLetters(ids?: readonly MessageId[]): readonly MessageId[] {
    const given: unknown = ids;
    if (
      given !== undefined &&
      (!Array.isArray(given) || !given.every((id) => typeof id === 'string'))
    ) {
      throw new InvalidOptionError(
        `channel "${this.#core.name}" replayDeadLetters`,
        'ids',
        given,
        'an array of message ids, or nothing for all',
      );
    }
    return this.#admission.replay(ids);
  }

  /**
   * Subscribes to the channel's events; returns a function that unsubscribes. A listener runs
   * synchronously; one that throws is reported as `hook-failed` and changes nothing.
   *
   * @throws InvalidOptionError when `listener` is not a function.
   */
  on(listener: ChannelListener): () => void {
    return this.#core.on(listener);
  }
}

/** The engine of a channel, for Stage's own modules (handler mode). Not part of the public API. */
export function channelCore(channel: Channel<unknown, unknown>): ChannelCore<unknown, unknown> {
  return coreOf(channel);
}
