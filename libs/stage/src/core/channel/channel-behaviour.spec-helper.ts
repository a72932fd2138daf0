import { describe } from 'vitest';
import { describeClosing } from './channel-behaviour-closing.spec-helper.js';
import { describeDelivery } from './channel-behaviour-delivery.spec-helper.js';
import { behaviourHarness } from './channel-behaviour-harness.spec-helper.js';
import type { BehaviourTarget } from './channel-behaviour-harness.spec-helper.js';
import { describeRequests } from './channel-behaviour-requests.spec-helper.js';
import { describeSending } from './channel-behaviour-sending.spec-helper.js';

export type { BehaviourTarget } from './channel-behaviour-harness.spec-helper.js';
// Other specs poll with it too.
export { eventually } from './channel-behaviour-harness.spec-helper.js';

/**
 * The behaviours of a channel that every storage must keep, run with real timers against the
 * storage `target` makes, each test ending with the ledger balanced: order on one consumer,
 * redelivery with the delivery count in loop and handler mode, dead letters (bounded, with their
 * cause) and replays, the `reject` and `drop-newest` overflow modes, waiting senders and their
 * signals, replies, timeouts and aborts of buffered and held requests, and the close.
 *
 * Behaviours a storage's docs declare unsupported, or that differ by design, are left out and
 * tested by that storage's own specs instead; for Redis Streams, docs/redis.md ("How it is
 * tested") lists them with the reason. The in-memory specs keep what only holds in one process,
 * or needs fake timers to be shown.
 */
export function describeChannelBehaviour(label: string, target: BehaviourTarget): void {
  describe(`Channel on ${label}`, () => {
    const harness = behaviourHarness(target);

    describeDelivery(harness);
    describeSending(harness);
    describeRequests(harness);
    describeClosing(harness);
  });
}
