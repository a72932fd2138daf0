import { TaskGroup } from 'nestjs-stage';
import type { Channel, ChannelStats, TaskFn } from 'nestjs-stage';

/** A channel with the group that consumes it, as the Stage side of a scenario builds them. */
export interface ConsumedChannel<TMessage, TReply> {
  readonly channel: Channel<TMessage, TReply>;
  readonly group: TaskGroup;
}

/**
 * Starts a group of `size` tasks running `task` over `channel`, marks the channel started (as
 * the Nest integration does when the application starts its consumers) and resolves once every
 * task is waiting for a message, so that no timed batch includes the group's start.
 */
export async function consumeChannel<TMessage, TReply>(options: {
  readonly channel: Channel<TMessage, TReply>;
  readonly size: number;
  readonly task: TaskFn;
}): Promise<ConsumedChannel<TMessage, TReply>> {
  const group = new TaskGroup({
    name: `${options.channel.name}-consumers`,
    size: options.size,
    task: options.task,
  });
  group.start();
  options.channel.markStarted();
  await waitForConsumers(options.channel, options.size);
  return { channel: options.channel, group };
}

/**
 * Resolves once `count` consumers wait on `channel`, yielding to the event loop between checks
 * (slots launch on later turns).
 *
 * @throws Error after 10,000 turns without that many consumers.
 */
export async function waitForConsumers(
  channel: Channel<unknown, unknown>,
  count: number,
): Promise<void> {
  for (let turn = 0; channel.stats().waitingConsumers < count; turn += 1) {
    if (turn > 10_000) {
      const waiting = channel.stats().waitingConsumers;
      throw new Error(`${channel.name}: ${waiting} of ${count} consumers waiting`);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Stops the consumers and closes the channel, then checks the ledger: every accepted message
 * handled, nothing dead-lettered, dropped, withdrawn or left over. Returns the final stats.
 *
 * @throws Error naming the counters when the ledger does not balance or the stop was not clean.
 */
export async function closeAndCheckLedger<TMessage, TReply>(
  fixture: ConsumedChannel<TMessage, TReply>,
): Promise<ChannelStats> {
  const report = await fixture.group.stop({ timeoutMs: 2000 });
  await fixture.channel.close({ timeoutMs: 0 });
  const stats = fixture.channel.stats();
  if (!report.clean) throw new Error(`${fixture.group.name}: consumers did not stop in time`);
  if (lostMessages(stats) !== 0 || stats.handled !== stats.accepted) {
    throw new Error(`${fixture.channel.name}: ledger does not balance: ${JSON.stringify(stats)}`);
  }
  return stats;
}

/**
 * Messages the ledger cannot account for: accepted minus every way a message can end or wait.
 * Always 0 for a correct channel.
 */
export function lostMessages(stats: ChannelStats): number {
  return (
    stats.accepted -
    (stats.handled +
      stats.deadLettered +
      stats.dropped +
      stats.withdrawn +
      stats.stored +
      stats.buffered +
      stats.inFlight +
      stats.delayed)
  );
}
