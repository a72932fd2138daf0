import type { StoredMessage } from '../core/channel/channel-storage.js';
import type { ChannelLink } from './channel-link.js';
import type { PendingOperations } from './pending-operations.js';
import { TurnBatch } from './turn-batch.js';

/** An acknowledgement waiting to be sent with the others of its turn. */
interface QueuedAck<TMessage> {
  readonly entryId: string;
  /** The settled message; `undefined` for an entry deleted before it was read (nothing to tell). */
  readonly message: StoredMessage<TMessage> | undefined;
}

/**
 * The acknowledgements of a Redis channel storage: `XACK` is sent **after** a delivery is settled,
 * and the acknowledgements of one turn of the event loop go to Redis in one script call, each
 * with its own result. Internal.
 *
 * **Late acknowledgements.** An entry that another replica claimed and settled meanwhile is no
 * longer pending: Redis acknowledges nothing (`XACK` returns 0), and the channel counts the
 * message as a duplicate (`host.settledElsewhere`), never as a second handling.
 *
 * **Failure.** An acknowledgement Redis does not confirm is reported and counted in {@link failed}:
 * its entry stays pending and is delivered again. **Closing.** Once the storage has closed, a
 * settlement can no longer be sent: it is counted and reported instead; {@link flush} sends what
 * is queued at once, so that closing can wait for it.
 */
export class Acknowledger<TMessage> {
  /** The channel, its commands and the storage's state. */
  readonly #link: ChannelLink<TMessage>;
  /** Acknowledgements queued in this turn, sent together at its end (`ACK_EACH`). */
  readonly #batch: TurnBatch<QueuedAck<TMessage>, number>;
  /** Acknowledgements that failed (the entries stay pending and are delivered again); grows. */
  #failed = 0;
  /** Settlements acknowledged since the stream was last trimmed. */
  #sinceTrim = 0;

  /**
   * @param operations Where each call is tracked with the acknowledgements it carries.
   * @param maxPerCall The most acknowledgements one script call carries.
   */
  constructor(link: ChannelLink<TMessage>, operations: PendingOperations, maxPerCall: number) {
    this.#link = link;
    this.#batch = new TurnBatch({
      maxPerCall,
      send: (acks) => this.#link.commands.ackEach(acks.map((ack) => ack.entryId)),
      track: (call, acks) => void operations.track(call, acks.length),
      done: (ack, acked) => {
        if (acked === 0 && ack.message !== undefined)
          this.#link.host.settledElsewhere(ack.message, 'handled');
      },
      failed: (acks, error) => {
        for (const { message } of acks) {
          if (message === undefined) continue;
          this.#failed++;
          this.#link.report(`acknowledge message ${message.id}`, error);
        }
      },
    });
  }

  /** Settlements that could not be acknowledged, over the storage's life. */
  get failed(): number {
    return this.#failed;
  }

  /** Acknowledgements queued and not sent yet. */
  get queued(): number {
    return this.#batch.queued;
  }

  /** Acknowledges the entry of a settled `message`, at the end of this turn. */
  acknowledge(entryId: string, message: StoredMessage<TMessage>): void {
    if (this.#link.state === 'closed') {
      this.#failed++;
      this.#link.report(`acknowledge message ${message.id} (closed: it will be delivered again)`);
      return;
    }
    this.#sinceTrim++;
    this.#batch.add({ entryId, message });
  }

  /** Acknowledges away an entry that was deleted before it was read: nothing to tell. */
  acknowledgeDeleted(entryId: string): void {
    this.#batch.add({ entryId, message: undefined });
  }

  /** Counts a settlement acknowledged some other way (with its dead letter) that failed. */
  countFailed(): void {
    this.#failed++;
  }

  /** Whether anything was acknowledged since the last call, so that the stream may be trimmed. */
  takeTrimDue(): boolean {
    if (this.#sinceTrim === 0) return false;
    this.#sinceTrim = 0;
    return true;
  }

  /** Sends every queued acknowledgement now. */
  flush(): void {
    this.#batch.flush();
  }
}
