import type { ChannelCore } from './channel-core.js';
import { RunLease } from './run-lease.js';
import type { TaskContext } from '../group/task-context.js';
import { taskRunHooks } from '../group/task-run-hooks.js';

/**
 * Finds, for one channel, the lease a run shares among all its `consume()` and `receive()` calls,
 * so that a task may call them any number of times without piling up hooks on its run. Internal
 * to channels.
 *
 * A run made by a group keeps its lease among its own hooks (the lease listens to the run, keyed
 * by the channel), where it is found again; a new attempt after a restart is a new run, with a new
 * lease. Any other context gets its lease from a side table here, kept only as long as the
 * context itself is.
 */
export class RunLeases<TMessage, TReply> {
  /** The channel the leases are for, and the key a run's hooks find its lease by. */
  readonly #core: ChannelCore<TMessage, TReply>;
  /**
   * The leases of contexts whose hooks cannot hold them (contexts not made by a group); a group's
   * own runs never land here. Weak, so that a context made per call is forgotten with it.
   */
  readonly #byContext = new WeakMap<TaskContext, RunLease<TMessage, TReply>>();

  constructor(core: ChannelCore<TMessage, TReply>) {
    this.#core = core;
  }

  /** The lease the run of `ctx` shares, found through its hooks, or else in the side table. */
  of(ctx: TaskContext): RunLease<TMessage, TReply> {
    const hooks = taskRunHooks(ctx);
    if (hooks?.listenerFor !== undefined) {
      const found = hooks.listenerFor(this.#core) as RunLease<TMessage, TReply> | undefined;
      return found ?? new RunLease(this.#core, ctx);
    }
    let lease = this.#byContext.get(ctx);
    if (lease === undefined) {
      lease = new RunLease(this.#core, ctx);
      this.#byContext.set(ctx, lease);
    }
    return lease;
  }
}
