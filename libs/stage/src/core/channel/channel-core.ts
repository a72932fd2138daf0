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
import { RequestTimeoutError } from '../errors/request-timeout-error.js';
import type { TaskContext, TaskOutcome } from '../group/task-context.js';

/**
 * The engine of a channel: admission, hand-over, settlement, redelivery, close and the ledger.
 * `Channel` is its public face; consumers, deliveries and handler mode call it directly.
 * Internal: nothing here is exported from the library.
 *
 * Invariant, after every public call returns: `accepted + received == handled + deadLettered +
 * dropped + withdrawn + stored + published + buffered + inFlight + delayed`.
 *
 * On a shared storage (see `SharedChannelStorage`) a `SharedStorageBridge` is the storage's host:
 * sends are confirmed by the server before they resolve, and entries and replies arrive through it.
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
  /** Where a storage shared between processes meets the channel; `undefined` in memory. */
  readonly #bridge: SharedStorageBridge<TMessage, TReply> | undefined;
  state: ChannelState = NOT_STARTED_STATE;
  /** The close, from `closing` to `closed`: it empties every part below. */
  readonly #drain: ChannelDrain<TMessage, TReply>;
  /** Numbers the messages sent; its prefix also names those replayed or received. */
  readonly #ids = new MessageIdSource();
  /**
   * How messages get in: sends, requests, replays, the overflow mode and the senders waiting for
   * room. `Channel` sends through it directly.
   */
  readonly admission: ChannelAdmission<TMessage, TReply>;
  /** Consumers waiting for a message, in arrival order; none while a message is ready. */
  readonly #consumers = new WaitingConsumers<TMessage, TReply>();
  /** Messages put back after a failed or interrupted delivery, and those waiting out a delay. */
  readonly #redeliveries: RedeliverySchedule<TMessage, TReply>;
  /**
   * The signals its waiting senders, and its waiting consumers with a context made outside a
   * group, follow: one listener per signal, however many wait on it.
   */
  readonly aborts = new AbortFanOut();
  /** The lease each run shares among its `consume()` and `receive()` calls. */
  readonly #leases = new RunLeases<TMessage, TReply>(this);
  /** Where each message taken in is now, and how the others ended (see the invariant above). */
  readonly #ledger = new ChannelLedger();
  /** The channel's listeners. */
  readonly #events: ChannelEmitter;
  /** Every way a message ends, each counted once in `#ledger`. */
  readonly #endings: MessageEndings<TMessage, TReply>;
  /** Set while `dispatch` runs, so that a nested call leaves the work to the running loop. */
  #dispatching = false;
  /**
   * The fairness clock its consumers read before taking: whether one of them must yield to the
   * event loop first. Counted on every delivery handed out.
   */
  readonly turns = new TurnBudget();
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
    this.admission = new ChannelAdmission(basis, {
      owner: this,
      overflow: options.overflow,
      ids: this.#ids,
      endings: this.#endings,
    });
    this.#bridge = isSharedStorage(options.storage)
      ? new SharedStorageBridge(basis, {
          channel: this,
          shared: options.storage,
          idPrefix: this.#ids.prefix,
          endings: this.#endings,
          admission: this.admission,
        })
      : undefined;
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

  senderAborted(envelope: Envelope<TMessage, TReply>): void {
    this.#giveUp(envelope, envelope.sender?.signal?.reason);
  }

  requestTimedOut(envelope: Envelope<TMessage, TReply>, timeoutMs: number): void {
    if (envelope.sender !== undefined) envelope.sender.timeout = undefined;
    const id = envelope.state === 'waiting' ? undefined : envelope.id;
    this.#giveUp(envelope, new RequestTimeoutError(this.name, timeoutMs, id));
  }

  /**
   * The sender stopped waiting (abort or timeout). A message not in a task's hands is withdrawn;
   * one in a task's hands stays there, and its late reply will be ignored.
   */
  #giveUp(envelope: Envelope<TMessage, TReply>, reason: unknown): void {
    if (envelope.sender === undefined) return;
    switch (envelope.state) {
      case 'waiting':
        this.admission.cancelWait(envelope, reason);
        return;
      case 'buffered':
        this.storage.remove(envelope);
        this.#ledger.buffered--;
        // Not confirmed yet by a shared storage: the server may still store it, and a replica
        // handle it; its reply will be ignored.
        this.#bridge?.senderGaveUp(envelope);
        this.#endings.withdraw(envelope, reason);
        this.admission.refill();
        break;
      case 'delayed':
        this.#redeliveries.cancel(envelope);
        this.#endings.withdraw(envelope, reason);
        break;
      case 'published':
        this.#bridge?.senderGaveUp(envelope);
        envelope.state = 'done';
        envelope.rejectSender(reason);
        return;
      default:
        envelope.rejectSender(reason);
        return;
    }
    this.checkDrained();
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
   * The next ready message out of storage. A request received from a requester that has stopped
   * waiting (shared storages) is withdrawn on the way, never handed to a consumer.
   */
  #takeReady(): Envelope<TMessage, TReply> | undefined {
    let envelope = this.storage.takeNext() as Envelope<TMessage, TReply> | undefined;
    while (envelope?.sender?.expiresAt !== undefined && envelope.sender.expiresAt <= Date.now()) {
      this.#ledger.buffered--;
      this.#endings.withdraw(envelope, new RequestTimeoutError(this.name, 0, envelope.id));
      this.checkDrained();
      envelope = this.storage.takeNext() as Envelope<TMessage, TReply> | undefined;
    }
    return envelope;
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
    if (envelope.timer !== undefined) {
      // The handler's deadline (handler mode): the delivery it guarded is over.
      clearTimeout(envelope.timer);
      envelope.timer = undefined;
    }
    return envelope;
  }

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

  settleByOutcome(delivery: ChannelDelivery<TMessage, TReply>, outcome: TaskOutcome): void {
    if (outcome.kind === 'completed') this.handled(delivery, undefined as TReply);
    else if (outcome.kind === 'failed') this.failed(delivery, outcome.error, true);
    else this.failed(delivery, undefined, false);
  }

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

  // ---- Dead letters --------------------------------------------------------------------------

  deadLetters(): readonly DeadLetter<TMessage>[] {
    return this.storage.deadLetters();
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

  stats(): ChannelStats {
    return this.#ledger.snapshot({
      delayed: this.#redeliveries.length,
      deadLetters: this.storage.deadLetterCount,
      waitingSenders: this.admission.waiting,
      waitingConsumers: this.#consumers.length,
    });
  }

  on(listener: ChannelListener): () => void {
    return this.#events.on(listener);
  }

  // ---- Serving the shared-storage bridge ------------------------------------------------------

  get waitingConsumers(): number {
    return this.#consumers.length;
  }

  /** Messages are ready in storage: hands them to waiting consumers, if any wait. */
  ready(): void {
    if (this.#consumers.length > 0) this.#dispatch();
  }
}
