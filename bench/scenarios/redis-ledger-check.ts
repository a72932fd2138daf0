import { Redis } from 'ioredis';
import type { ChannelStats } from 'nestjs-stage';
import type { RedisAddress } from '../harness/redis-run-keys.js';
import type { ConsumedChannel } from './stage-fixtures.js';

/** The consumer group Stage's Redis storage uses by default. */
const GROUP = 'stage';

/** What the Stage side of a run saw at its close: the ledger, checked, and the server's view. */
export interface RedisLedgerCheck {
  readonly stats: ChannelStats;
  /** Entries the consumer group still had pending (read, not acknowledged) after the close. */
  readonly pendingOnServer: number;
  /** Whether the group had been given every entry of the stream (last delivered = last added). */
  readonly allDelivered: boolean;
}

/**
 * Stops the consumers, closes the channel and checks its ledger as one process on a shared
 * storage sees it: every message sent was confirmed by Redis (`published`), read back
 * (`received`) and handled, and the ledger balances, so that nothing was dead-lettered, dropped,
 * withdrawn, left stored or in flight; no duplicate; every acknowledgement confirmed. Then, on the
 * server: nothing pending in the consumer group, and no entry left undelivered.
 *
 * @throws Error naming what does not hold.
 */
export async function closeAndCheckRedisLedger<TMessage, TReply>(
  fixture: ConsumedChannel<TMessage, TReply>,
  redis: RedisAddress,
  stream: string,
): Promise<RedisLedgerCheck> {
  const stopped = await fixture.group.stop({ timeoutMs: 2000 });
  const closed = await fixture.channel.close({ timeoutMs: 2000 });
  const stats = fixture.channel.stats();
  const { pending, allDelivered } = await consumerGroupState(redis, stream);
  const lost =
    stats.accepted +
    stats.received -
    (stats.handled +
      stats.deadLettered +
      stats.dropped +
      stats.withdrawn +
      stats.stored +
      stats.published +
      stats.buffered +
      stats.inFlight +
      stats.delayed);
  const problems = [
    !stopped.clean && 'consumers did not stop in time',
    lost !== 0 && `${lost} lost`,
    stats.published !== stats.accepted && 'not every send was confirmed',
    stats.received !== stats.published && 'not every message sent was read back',
    stats.handled !== stats.received && 'not every message read was handled',
    stats.duplicates !== 0 && `${stats.duplicates} duplicates`,
    (closed.unacknowledged ?? 0) !== 0 && `${closed.unacknowledged} unacknowledged`,
    pending !== 0 && `${pending} pending on the server`,
    !allDelivered && 'entries never delivered on the server',
  ].filter((problem) => problem !== false);
  if (problems.length > 0) {
    throw new Error(
      `${fixture.channel.name}: ledger does not balance (${problems.join(', ')}): ` +
        JSON.stringify(stats),
    );
  }
  return { stats, pendingOnServer: pending, allDelivered };
}

/**
 * The consumer group's pending count (`XPENDING`), and whether its last delivered entry is the
 * stream's last (`XINFO GROUPS` against `XINFO STREAM`), read on a connection of its own.
 */
async function consumerGroupState(
  redis: RedisAddress,
  stream: string,
): Promise<{ pending: number; allDelivered: boolean }> {
  const client = new Redis({ host: redis.host, port: redis.port });
  try {
    const summary = (await client.call('XPENDING', stream, GROUP)) as [unknown, ...unknown[]];
    const groups = (await client.call('XINFO', 'GROUPS', stream)) as unknown[][];
    const lastAdded = fieldsOf(await client.call('XINFO', 'STREAM', stream)).get(
      'last-generated-id',
    );
    const ours = groups.map(fieldsOf).find((fields) => fields.get('name') === GROUP);
    const lastDelivered = ours?.get('last-delivered-id');
    return {
      pending: Number(summary[0]),
      allDelivered: lastAdded !== undefined && lastDelivered === lastAdded,
    };
  } finally {
    client.disconnect();
  }
}

/** A flat `[name, value, ...]` reply as a map. */
function fieldsOf(reply: unknown): Map<unknown, unknown> {
  const fields = new Map<unknown, unknown>();
  if (!Array.isArray(reply)) return fields;
  for (let index = 0; index + 1 < reply.length; index += 2)
    fields.set(reply[index], reply[index + 1]);
  return fields;
}
