import type { SupervisedChild } from './child.js';
import type { ChildList } from './child-list.js';
import { disown, isOwned } from './child-ownership.js';
import type { ChildRecord } from './child-record.js';
import type { SupervisorEmitter } from './supervisor-emitter.js';
import type { ChildStopReport } from './supervisor-stop-report.js';

/**
 * How children leave one supervisor for good. A child leaves the list at once (so that its name
 * can be reused and it can be added again, here or elsewhere), then is detached from the
 * supervisor unless it was added again meanwhile. Internal: the supervisor decides when.
 *
 * **Cancellation.** A removal's stop is not cancelled by the supervisor's stop: the supervisor's
 * stop waits for it (see {@link settled}). **Restarts.** A removed child is never started again:
 * its record is marked `removed`, which every restart checks. **Failure.** A child whose
 * `setParent()` throws while being detached is reported as `hook-failed`; nothing here rejects.
 */
export class ChildRemovals {
  /** The supervisor the children leave; only its own ownership of a child is released. */
  readonly #parent: SupervisedChild;
  /** The supervisor's list; a child taken out of it is marked `removed`. */
  readonly #children: ChildList;
  /** Where the `child-stopped` and `child-removed` events go. */
  readonly #events: SupervisorEmitter;
  /** The stops of removed children still in progress; each leaves the set once it settled. */
  readonly #stopping = new Set<Promise<ChildStopReport>>();

  constructor(parent: SupervisedChild, children: ChildList, events: SupervisorEmitter) {
    this.#parent = parent;
    this.#children = children;
    this.#events = events;
  }

  /**
   * Takes `record` out of the list at once, stops its child within its deadline, then detaches
   * it unless it was added again meanwhile. Never rejects.
   *
   * @returns how its stop went (a child never started in this run is reported stopped at once).
   */
  async remove(record: ChildRecord): Promise<ChildStopReport> {
    this.#take(record);

    const removal = this.#stopRemoved(record);
    this.#stopping.add(removal);
    try {
      return await removal;
    } finally {
      this.#stopping.delete(removal);
    }
  }

  /**
   * Takes out and detaches a child with the `never` policy that a sibling's restart stopped,
   * instead of starting it again.
   */
  dropNeverRestarted(record: ChildRecord): void {
    this.#take(record);
    this.#detach(record);
    this.#events.emit({ type: 'child-removed', child: record.name, reason: 'never-restarted' });
  }

  /** Settles once every removal in progress now has stopped its child. */
  settled(): Promise<unknown> {
    return Promise.all(this.#stopping);
  }

  async #stopRemoved(record: ChildRecord): Promise<ChildStopReport> {
    const report = await this.#children.stop(record);
    this.#detach(record);
    this.#events.emit({ type: 'child-stopped', child: record.name, reason: 'remove', report });
    this.#events.emit({ type: 'child-removed', child: record.name, reason: 'removed' });
    return report;
  }

  /** Takes a child out of the list for good; it is free to be added again, here or elsewhere. */
  #take(record: ChildRecord): void {
    this.#children.take(record);
    disown(this.#parent, record.child);
  }

  /** Detaches a child that left the list, unless it was added again meanwhile (here or not). */
  #detach(record: ChildRecord): void {
    if (isOwned(record.child)) return;
    try {
      record.child.setParent(undefined);
    } catch (error) {
      this.#events.reportHookFailure(`${record.name}.setParent`, error);
    }
  }
}
