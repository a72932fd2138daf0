import { expect } from 'vitest';
import type { Channel } from './channel.js';
import type { ChannelEvent } from './channel-events.js';
import { TaskRun } from '../group/task-run.js';

/** A run of a task as a group makes it, to consume with outside a group; settle it by hand. */
export function newRun(index = 0): TaskRun {
  return new TaskRun(index, 1, 'consumers', {
    reportHookFailure: () => {},
    runEnded: (_slot, run, ending) => run.settle(ending),
  });
}

/** Asserts the ledger's invariant on the channel's current counters. */
export function expectBalanced(channel: Channel<unknown, unknown>): void {
  const s = channel.stats();
  const ended = s.handled + s.deadLettered + s.dropped + s.withdrawn + s.stored + s.published;
  expect(s.accepted + s.received).toBe(ended + s.buffered + s.inFlight + s.delayed);
  expect(Math.min(s.buffered, s.inFlight, s.delayed, s.waitingSenders)).toBeGreaterThanOrEqual(0);
}

/** Records every event the channel emits from now on. */
export function record(channel: Channel<unknown, unknown>): ChannelEvent[] {
  const events: ChannelEvent[] = [];
  channel.on((event) => events.push(event));
  return events;
}

/** How a promise settled so far; observing it means it never rejects unhandled. */
export interface Outcome<TValue> {
  done: boolean;
  value?: TValue;
  error?: unknown;
}

/** Follows a promise's outcome without awaiting it. */
export function outcome<TValue>(promise: Promise<TValue>): Outcome<TValue> {
  const state: Outcome<TValue> = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}
