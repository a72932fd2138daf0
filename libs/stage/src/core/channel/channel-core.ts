import { AbortFanOut } from './abort-fan-out.js';
import type { ChannelCloseReport } from './channel-close-report.js';
import { ChannelAdmission, type AdmissionOwner } from './channel-admission.js';
import type { ChannelBasis } from './channel-basis.js';
import { ChannelConsumer } from './channel-consumer.js';
import type { ChannelWaiter } from './channel-waiter.js';
import type { ChannelDelivery } from './channel-delivery.js';
import { ChannelDrain, type DrainedChannel } from './channel-drain.js';
import { ChannelEmitter } from './channel-emitter.js';
import type { ChannelListener } from './channel-events.js';
import { ChannelLedger } from './channel-ledger.js';
import type { OverflowMode } from './channel-options.js';
import { CLOSING_STATE, NOT_STARTED_STATE, OPEN_STATE } from './channel-state.js';
import type { ChannelState } from './channel-state.js';
import type { ChannelStats } from './channel-stats.js';
import { isSharedStorage } from './channel-storage.js';
import type { ChannelStorage } from './channel-storage.js';
import type { DeadLetter } from './dead-letter.js';
import type { Envelope } from './envelope.js';
import { MessageEndings } from './message-endings.js';
import { MessageIdSource } from './message-id.js';
import type { ResolvedChannelOptions } from './resolve-channel-options.js';
import { RedeliverySchedule, type RedeliveryOwner } from './redelivery-schedule.js';
import { RunLease } from './run-lease.js';
import { RunLeases } from './run-leases.js';
import { SharedStorageBridge, type BridgedChannel } from './shared-storage-bridge.js';
import { TurnBudget } from './turn-budget.js';
import { WaitingConsumers } from './waiting-consumers.js';
import { DeliveriesExhaustedError } from '../errors/deliveries-exhausted-error.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';
import type { TaskContext, TaskOutcome } from '../group/task-context.js';

/**
 * The engine of a channel: it takes admitted messages in, hands them to consumers, settles their
 * deliveries and keeps the ledger, and wires the parts that do the rest: `ChannelAdmission`
 * (sending and backpressure), `MessageEndings` (every counted ending), `RedeliverySchedule`
 * (putting messages back), `WaitingConsumers` and `RunLeases` (who waits, for which run),
 * `ChannelDrain` (the close) and, on a shared storage, `SharedStorageBridge`. `Channel` is its
 * public face; consumers, deliveries and handler mode call it directly. Internal: nothing here is
 * exported from the library.
 *
 * **Invariant**, after every call returns: `accepted + received == handled + deadLettered +
 * dropped + withdrawn + stored + published + buffered + inFlight + delayed` (see
 * {@link ChannelLedger}). Here a message moves from `buffered` to `inFlight` when handed out, and
 * out of `inFlight` when its delivery settles, into one ending or back through the schedule.
 *
 * **Cancellation.** A run asked to stop takes nothing more and its waiting consumers are woken
 * with nothing; what it holds settles by its outcome. A sender that gives up has its message
 * withdrawn unless a task holds it (then the late reply is ignored).
 *
 * **Restart.** The engine outlives its consumers: a failed delivery goes back after its delay,
 * an interrupted one first in line, for whichever run takes next.
 *
 * **Failure.** A throwing listener is reported as `hook-failed` and changes nothing; a failing
 * storage operation in the background is reported as `storage-failed`.
 */
export class ChannelCore<TMessage, TReply>
  implements
    AdmissionOwner<TMessage, TReply>,
    RedeliveryOwner,
    BridgedChannel<TMessage, TReply>,
    DrainedChannel
{
  readonly name: string;
  readonly capacity: number;
  readonly overflow: OverflowMode;
  readonly maxDeliveries: number;
  readonly drainTimeoutMs: number;
  readonly storage: ChannelStorage<TMessage>;
  /**
   * Where the channel is in its life: `markStarted` opens it, its drain moves it to `closing`,
   * then `closed`, and nothing moves it back. Read on every send and take.
   */
  state: ChannelState = NOT_STARTED_STATE;
  /** Where each message taken in is now, and how the others ended (see the invariant above). */
  readonly #ledger = new ChannelLedger();
  /** The channel's listeners; events are built only while one listens. */
  readonly #events: ChannelEmitter;
  /**
   * How messages get in: sends, requests, replays, the overflow mode and the senders waiting for
   * room. `Channel` sends through it directly.
   */
  readonly admission: ChannelAdmission<TMessage, TReply>;
  /** Every way a message ends, each counted once in `#ledger`. */
  readonly #endings: MessageEndings<TMessage, TReply>;
  /** Messages put back after a failed or interrupted delivery, and those waiting out a delay. */
  readonly #redeliveries: RedeliverySchedule<TMessage, TReply>;
  /** Consumers waiting for a message, in arrival order; none while a message is ready. */
  readonly #consumers = new WaitingConsumers<TMessage, TReply>();
  /** The lease each run shares among its `consume()` and `receive()` calls. */
  readonly #leases = new RunLeases<TMessage, TReply>(this);
  /** Where a storage shared between processes meets the channel; `undefined` in memory. */
  readonly #bridge: SharedStorageBridge<TMessage, TReply> | undefined;
  /** The close, from `closing` to `closed`; it empties the parts above. */
  readonly #drain: ChannelDrain<TMessage, TReply>;
  /**
   * The fairness clock its consumers read before taking: whether one of them must yield to the
   * event loop first. Counted on every delivery handed out.
   */
  readonly turns = new TurnBudget();
  /**
   * The signals its waiting senders, and its waiting consumers with a context made outside a
   * group, follow: one listener per signal, however many wait on it.
   */
  readonly aborts = new AbortFanOut();
  /** Numbers the messages sent; its prefix also names those replayed or received. */
  readonly #ids = new MessageIdSource();
  /** Set while `#dispatch` runs, so that a nested call leaves the work to the running loop. */
  #dispatching = false;

  constructor(options: ResolvedChannelOptions<TMessage>) {
    this.name = options.name;
    this.capacity = options.capacity;
    this.overflow = options.overflow;
    this.maxDeliveries = options.maxDeliveries;
    this.drainTimeoutMs = options.drainTimeoutMs;
    this.storage = options.storage;
    this.#events = new ChannelEmitter(options.name);
    const basis: ChannelBasis<TMessage> = {
      name: this.name,
      capacity: this.capacity,
      storage: this.storage,
      ledger: this.#ledger,
      events: this.#events,
    };
    this.#endings = new MessageEndings(basis);
    this.#redeliveries = new RedeliverySchedule(basis, options.redelivery, this);
    this.#bridge = isSharedStorage(options.storage)
      ? new SharedStorageBridge(basis, {
          channel: this,
          shared: options.storage,
          idPrefix: this.#ids.prefix,
          endings: this.#endings,
        })
      : undefined;
    this.admission = new ChannelAdmission(basis, {
      owner: this,
      overflow: options.overflow,
      ids: this.#ids,
      endings: this.#endings,
      redeliveries: this.#redeliveries,
      bridge: this.#bridge,
    });
    this.#drain = new ChannelDrain(basis, {
      channel: this,
      endings: this.#endings,
      redeliveries: this.#redeliveries,
      admission: this.admission,
      consumers: this.#consumers,
      bridge: this.#bridge,
    });
  }

  /** Whether consumers will get nothing more: the channel has closed. */
  get exhausted(): boolean {
    return this.state.kind === 'closed';
  }

  /** Consumers are starting: a send to a full `wait` channel waits from now on (see `Channel`). */
  markStarted(): void {
    if (this.state === NOT_STARTED_STATE) this.state = OPEN_STATE;
  }

  // ---- Taking messages in -------------------------------------------------------------------

  /**
   * Takes in a message its admission let in: counts it accepted and buffered, then appends it to
   * storage and hands it to a waiting consumer if there is one. On a shared storage the message
   * is handed to the server instead (see `SharedStorageBridge.publish`).
   */
  accept(envelope: Envelope<TMessage, TReply>): void {
    envelope.state = 'buffered';
    this.#ledger.accepted++;
    this.#ledger.buffered++;
    if (this.#bridge !== undefined) {
      this.#bridge.publish(envelope);
      return;
    }
    this.storage.append(envelope);
    if (this.#consumers.length > 0) this.#dispatch();
  }

  /** A sender's signal fired while it waited to hear about `envelope`. */
  senderAborted(envelope: Envelope<TMessage, TReply>): void {
    this.admission.giveUp(envelope, envelope.sender?.signal?.reason);
  }

  // ---- Consuming -----------------------------------------------------------------------------

  /**
   * A lease of its own for the run of `ctx`: handler mode, one waiter per run, no lookup. Marks
   * the channel started.
   */
  openLease(ctx: TaskContext): RunLease<TMessage, TReply> {
    this.markStarted();
    return new RunLease(this, ctx);
  }

  /**
   * A consumer for the run of `ctx`, on the lease the run shares among its `consume()` and
   * `receive()` calls, which a task may make any number of times without piling up hooks on its
   * run. The first consumer marks the channel started.
   */
  openConsumer(ctx: TaskContext): ChannelConsumer<TMessage, TReply> {
    this.markStarted();
    return new ChannelConsumer(this, this.#leases.of(ctx));
  }

  /** Takes the next ready message for `lease`, or `undefined`; never waits. */
  take(lease: RunLease<TMessage, TReply>): ChannelDelivery<TMessage, TReply> | undefined {
    if (lease.ended || this.state.kind === 'closed') return undefined;
    const envelope = this.#takeReady();
    return envelope === undefined ? undefined : this.#hand(envelope, lease);
  }

  /**
   * The next ready message out of storage. Kept small, since every delivery runs it: what only a
   * shared storage can hand back is screened apart (see {@link #screenReceived}).
   */
  #takeReady(): Envelope<TMessage, TReply> | undefined {
    const envelope = this.storage.takeNext() as Envelope<TMessage, TReply> | undefined;
    return envelope === undefined || this.#bridge === undefined
      ? envelope
      : this.#screenReceived(envelope);
  }

  /**
   * `envelope` and the messages after it, as received from a shared storage, until one can be
   * handed out. Two kinds are ended on the way, never handed to a consumer: a request whose
   * requester has stopped waiting is withdrawn, and a message whose deliveries are spent
   * (delivered `maxDeliveries` times, each holder ending before it settled the message) is
   * dead-lettered. A storage of this process holds neither: it never receives a message back.
   */
  #screenReceived(first: Envelope<TMessage, TReply>): Envelope<TMessage, TReply> | undefined {
    for (let envelope: Envelope<TMessage, TReply> | undefined = first; envelope !== undefined;) {
      const expired =
        envelope.sender?.expiresAt !== undefined && envelope.sender.expiresAt <= Date.now();
      if (!expired && envelope.failures < this.maxDeliveries) return envelope;

      this.#ledger.buffered--;
      if (expired) {
        this.#endings.withdraw(envelope, new RequestTimeoutError(this.name, 0, envelope.id));
      } else {
        const spent = new DeliveriesExhaustedError(this.name, envelope.id, envelope.failures);
        this.#endings.deadLetter(envelope, spent);
      }
      this.checkDrained();
      envelope = this.storage.takeNext() as Envelope<TMessage, TReply> | undefined;
    }
    return undefined;
  }

  /** Puts a message taken out of storage in the hands of `lease`. */
  #hand(
    envelope: Envelope<TMessage, TReply>,
    lease: RunLease<TMessage, TReply>,
  ): ChannelDelivery<TMessage, TReply> {
    this.#ledger.buffered--;
    this.#ledger.inFlight++;
    this.turns.handedOne();
    envelope.state = 'in-flight';
    const delivery = envelope.deliverTo(lease);
    lease.hold(delivery);
    this.admission.refill();
    return delivery;
  }

  /** A consumer found nothing ready: it waits, woken with the next message or with nothing. */
  wait(consumer: ChannelWaiter<TMessage, TReply>): void {
    this.#consumers.add(consumer);
    this.#bridge?.demand();
  }

  /** Ends a consumer's wait, if it waits, with nothing. */
  cancelWait(consumer: ChannelWaiter<TMessage, TReply>): void {
    this.#consumers.cancel(consumer);
  }

  /** Hands ready messages to waiting consumers, oldest waiter first. */
  #dispatch(): void {
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      while (this.#consumers.length > 0 && this.storage.length > 0) {
        const envelope = this.#takeReady();
        if (envelope === undefined) break;
        const consumer = this.#consumers.next() as ChannelWaiter<TMessage, TReply>;
        consumer.wake(this.#hand(envelope, consumer.lease));
      }
    } finally {
      this.#dispatching = false;
    }
  }

  // ---- Settling ------------------------------------------------------------------------------

  /** Marks a delivery settled and takes its message out of flight; returns the message. */
  #letGo(delivery: ChannelDelivery<TMessage, TReply>): Envelope<TMessage, TReply> {
    delivery.settled = true;
    delivery.lease.letGo(delivery);
    this.#ledger.inFlight--;
    const envelope = delivery.envelope;
    // The handler's deadline (handler mode): the delivery it guarded is over.
    if (envelope.timer !== undefined) clearDeadline(envelope);
    return envelope;
  }

  /** A delivery succeeded; `reply` answers a request. Settling twice does nothing. */
  handled(delivery: ChannelDelivery<TMessage, TReply>, reply: TReply): void {
    if (delivery.settled) return;
    this.#endings.handled(this.#letGo(delivery), reply);
    this.checkDrained();
  }

  /**
   * A delivery failed (`counted`) or was interrupted by a stop (not counted, `error` undefined).
   * The message is redelivered, dead-lettered after `maxDeliveries`, withdrawn if its requester
   * has gone, or left over if the channel has closed.
   */
  failed(
    delivery: ChannelDelivery<TMessage, TReply>,
    error: Error | undefined,
    counted: boolean,
  ): void {
    if (delivery.settled) return;
    const envelope = this.#letGo(delivery);
    if (counted) {
      envelope.failures++;
      envelope.lastError = error;
    }
    if (envelope.isRequest && envelope.sender === undefined) {
      // Its requester stopped waiting: the failure is not redelivered, only reported.
      this.#endings.withdraw(envelope, undefined, counted ? error : undefined);
    } else if (this.state.kind === 'closed') this.#endings.leaveOver(envelope);
    else if (counted && envelope.failures >= this.maxDeliveries) {
      this.#endings.deadLetter(envelope, error ?? new Error('delivery failed'));
    } else this.#redeliveries.putBack(envelope, counted ? error : undefined);
    this.checkDrained();
  }

  /** Settles a delivery its run still held when it ended: completed, failed or stopped. */
  settleByOutcome(delivery: ChannelDelivery<TMessage, TReply>, outcome: TaskOutcome): void {
    if (outcome.kind === 'completed') this.handled(delivery, undefined as TReply);
    else if (outcome.kind === 'failed') this.failed(delivery, outcome.error, true);
    else this.failed(delivery, undefined, false);
  }

  /** Reports a handler abandoned past its timeout (handler mode); the caller fails the delivery. */
  reportAbandoned(delivery: ChannelDelivery<TMessage, TReply>, timeoutMs: number): void {
    if (!this.#events.active) return;
    this.#events.emit({
      type: 'handler-abandoned',
      channel: this.name,
      id: delivery.id,
      deliveryCount: delivery.deliveryCount,
      timeoutMs,
    });
  }

  // ---- Closing -------------------------------------------------------------------------------

  /** Closes the channel (see `ChannelDrain`); every call shares the first one's report. */
  close(timeoutMs: number): Promise<ChannelCloseReport> {
    return this.#drain.close(timeoutMs);
  }

  /** A message ended: ends the close if it was the last one pending. */
  checkDrained(): void {
    if (this.state === CLOSING_STATE) this.#drain.finishIfDrained();
  }

  // ---- Observing -----------------------------------------------------------------------------

  /** A snapshot of the ledger and the gauges (see {@link ChannelStats}). */
  stats(): ChannelStats {
    return this.#ledger.snapshot({
      delayed: this.#redeliveries.length,
      deadLetters: this.storage.deadLetterCount,
      waitingSenders: this.admission.waiting,
      waitingConsumers: this.#consumers.length,
    });
  }

  /** The dead letters held, oldest first: a snapshot. */
  deadLetters(): readonly DeadLetter<TMessage>[] {
    return this.storage.deadLetters();
  }

  /** Subscribes a listener; returns a function that unsubscribes it. */
  on(listener: ChannelListener): () => void {
    return this.#events.on(listener);
  }

  // ---- Serving its parts ---------------------------------------------------------------------

  /** How many consumers wait for a message right now. */
  get waitingConsumers(): number {
    return this.#consumers.length;
  }

  /** Messages are ready in storage: hands them to waiting consumers, if any wait. */
  ready(): void {
    if (this.#consumers.length > 0) this.#dispatch();
  }

  /** The shared backlog may have shrunk: lets waiting senders try again. */
  roomFreed(): void {
    this.admission.admit();
  }
}

/** Disarms the handler's deadline of `envelope`; out of line, off the path of every delivery. */
function clearDeadline(envelope: { timer: NodeJS.Timeout | undefined }): void {
  clearTimeout(envelope.timer);
  envelope.timer = undefined;
}
