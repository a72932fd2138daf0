import type { ChannelAdmission } from './channel-admission.js';
import type { ChannelBasis } from './channel-basis.js';
import type { ChannelCloseReport } from './channel-close-report.js';
import type { ChannelEmitter } from './channel-emitter.js';
import type { ChannelLedger } from './channel-ledger.js';
import { CLOSING_STATE, OPEN_STATE, type ChannelState } from './channel-state.js';
import type { ChannelStorage, StorageCloseReport } from './channel-storage.js';
import type { Envelope } from './envelope.js';
import type { LeftOver, MessageEndings } from './message-endings.js';
import type { RedeliverySchedule } from './redelivery-schedule.js';
import type { SharedStorageBridge } from './shared-storage-bridge.js';
import type { WaitingConsumers } from './waiting-consumers.js';

/** The channel a drain closes, as the drain sees it. */
export interface DrainedChannel {
  /** Where the channel is in its life: the drain moves it to `closing`, then to `closed`. */
  state: ChannelState;
}

/** What a drain empties when its channel closes, each part through its own narrow method. */
export interface ChannelDrainParts<TMessage, TReply> {
  readonly channel: DrainedChannel;
  readonly endings: Pick<MessageEndings<TMessage, TReply>, 'leaveOver'>;
  readonly redeliveries: Pick<RedeliverySchedule<TMessage, TReply>, 'length' | 'takeNext'>;
  readonly admission: Pick<ChannelAdmission<TMessage, TReply>, 'refuseWaiting'>;
  readonly consumers: Pick<WaitingConsumers<TMessage, TReply>, 'releaseAll'>;
  readonly bridge:
    Pick<SharedStorageBridge<TMessage, TReply>, 'unconfirmed' | 'refuseAwaiting'> | undefined;
}

/**
 * The close of one channel: `closing` from the first `close()`, while consumers drain what is
 * pending, then `closed` once nothing is pending or the deadline has passed. Internal to
 * channels; `Channel.close` documents what callers see.
 *
 * **Lifecycle.** Idle until {@link close}; then draining, with its deadline armed, until
 * {@link finish}; then done, its report given to every `close()` caller once the storage has
 * closed too. Each step happens once: a later `close()` shares the first one's promise, and a
 * deadline or a last settlement that comes after the end does nothing.
 *
 * **Cancellation.** Senders waiting for room are refused at once; consumers are woken with nothing
 * once closed. What is left at the end is returned to its senders (requests), kept by a durable
 * storage, or dead-lettered (see `MessageEndings.leaveOver`); messages still in a task's hands
 * settle when the task lets go, even after the end.
 *
 * **Failure.** A storage whose `close` throws or rejects is reported as `storage-failed`, and the
 * report is given all the same: a close never rejects.
 */
export class ChannelDrain<TMessage, TReply> {
  readonly #name: string;
  readonly #storage: ChannelStorage<TMessage>;
  /** Read for what is pending; the messages outside this process's window end `stored` here. */
  readonly #ledger: ChannelLedger;
  readonly #events: ChannelEmitter;
  readonly #channel: DrainedChannel;
  readonly #endings: ChannelDrainParts<TMessage, TReply>['endings'];
  readonly #redeliveries: ChannelDrainParts<TMessage, TReply>['redeliveries'];
  readonly #admission: ChannelDrainParts<TMessage, TReply>['admission'];
  readonly #consumers: ChannelDrainParts<TMessage, TReply>['consumers'];
  readonly #bridge: ChannelDrainParts<TMessage, TReply>['bridge'];
  /** Set by the first `close()`, and kept: later calls share it. */
  #promise: Promise<ChannelCloseReport> | undefined = undefined;
  /** Settles `#promise`; set with it. */
  #resolve: ((report: ChannelCloseReport) => void) | undefined = undefined;
  /** The drain deadline, armed only while `closing`; cleared as soon as the drain ends. */
  #timer: NodeJS.Timeout | undefined = undefined;

  constructor(basis: ChannelBasis<TMessage>, parts: ChannelDrainParts<TMessage, TReply>) {
    this.#name = basis.name;
    this.#storage = basis.storage;
    this.#ledger = basis.ledger;
    this.#events = basis.events;
    this.#channel = parts.channel;
    this.#endings = parts.endings;
    this.#redeliveries = parts.redeliveries;
    this.#admission = parts.admission;
    this.#consumers = parts.consumers;
    this.#bridge = parts.bridge;
  }

  /**
   * Begins the close (once): refuses waiting senders, then finishes at once when nothing is worth
   * waiting for, or arms the deadline of `timeoutMs`. Resolves with the close's report.
   */
  close(timeoutMs: number): Promise<ChannelCloseReport> {
    if (this.#promise !== undefined) return this.#promise;
    const channel = this.#channel;
    const started = channel.state === OPEN_STATE;
    const promise = new Promise<ChannelCloseReport>((resolve) => (this.#resolve = resolve));
    this.#promise = promise;
    channel.state = CLOSING_STATE;
    this.#admission.refuseWaiting();
    if (this.#events.active) this.#events.emit({ type: 'closing', channel: this.#name });
    // Consumers that never started drain nothing; only unconfirmed sends are worth waiting for.
    if ((started ? this.#pending : this.#unconfirmed) === 0) this.finish();
    else if (channel.state === CLOSING_STATE) {
      this.#timer = setTimeout(finishDrain, timeoutMs, this);
    }
    return promise;
  }

  /** A message ended while closing: finishes the drain if none is pending any more. */
  finishIfDrained(): void {
    if (this.#pending === 0) this.finish();
  }

  /**
   * Ends the drain (once, and only after `close()`): closes the channel, ends what is left over,
   * wakes the waiting consumers with nothing, reports, then closes the storage.
   */
  finish(): void {
    const resolve = this.#resolve;
    const channel = this.#channel;
    if (resolve === undefined || channel.state.kind === 'closed') return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const drained = this.#pending === 0;
    // Closed from here on, so that nothing left over can be taken while it is disposed of; the
    // final report replaces this one below.
    channel.state = {
      kind: 'closed',
      report: { drained, returned: 0, deadLettered: 0, stored: 0, inFlight: 0 },
    };
    const tally = this.#endLeftOvers();
    // Requests sent through a shared storage: no reply will be read from here on.
    this.#bridge?.refuseAwaiting();
    const report = this.#report({
      drained,
      returned: tally.returned,
      deadLettered: tally['dead-lettered'],
      stored: tally.stored,
      inFlight: this.#ledger.inFlight,
    });
    channel.state = { kind: 'closed', report };
    this.#consumers.releaseAll();
    if (this.#events.active) this.#events.emit({ type: 'closed', channel: this.#name, report });
    this.#closeStorage(report, resolve);
  }

  /** Messages accepted that have not ended yet. */
  get #pending(): number {
    return this.#ledger.buffered + this.#ledger.inFlight + this.#redeliveries.length;
  }

  /** Sends a shared storage has not confirmed yet; always 0 in memory. */
  get #unconfirmed(): number {
    return this.#bridge === undefined ? 0 : this.#bridge.unconfirmed;
  }

  /**
   * Ends every message still buffered or delayed, each counted once (see `MessageEndings`);
   * returns how many went where.
   */
  #endLeftOvers(): Record<LeftOver, number> {
    const tally = { returned: 0, 'dead-lettered': 0, stored: 0 };
    const ledger = this.#ledger;
    while (ledger.buffered > 0) {
      const left = this.#storage.takeNext() as Envelope<TMessage, TReply> | undefined;
      if (left === undefined) break;
      ledger.buffered--;
      tally[this.#endings.leaveOver(left)]++;
    }
    // A durable storage may hold accepted messages outside this process's window: they stay.
    // Sends a shared storage has not confirmed yet end when it answers.
    const outside = ledger.buffered - this.#unconfirmed;
    tally.stored += outside;
    ledger.stored += outside;
    ledger.buffered = this.#unconfirmed;
    for (
      let left = this.#redeliveries.takeNext();
      left !== undefined;
      left = this.#redeliveries.takeNext()
    ) {
      tally[this.#endings.leaveOver(left)]++;
    }
    return tally;
  }

  /** The report of a close, with a shared storage's `unconfirmed` count. */
  #report(fields: Omit<ChannelCloseReport, 'unconfirmed' | 'unacknowledged'>): ChannelCloseReport {
    return this.#bridge === undefined ? fields : { ...fields, unconfirmed: this.#unconfirmed };
  }

  /** Closes the storage, then resolves with the report and what the storage adds to it. */
  #closeStorage(report: ChannelCloseReport, resolve: (report: ChannelCloseReport) => void): void {
    let closing: void | Promise<void | StorageCloseReport> = undefined;
    try {
      closing = this.#storage.close();
    } catch (error) {
      this.#events.storageFailed(error);
    }
    if (closing === undefined) {
      resolve(report);
      return;
    }
    closing.then(
      (storageReport) => {
        if (storageReport === undefined) return resolve(report);
        const final = { ...report, unacknowledged: storageReport.unacknowledged };
        this.#channel.state = { kind: 'closed', report: final };
        resolve(final);
      },
      (error: unknown) => {
        this.#events.storageFailed(error);
        resolve(report);
      },
    );
  }
}

/** The drain deadline's timer (a shared callback). */
function finishDrain<TMessage, TReply>(drain: ChannelDrain<TMessage, TReply>): void {
  drain.finish();
}
