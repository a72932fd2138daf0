import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AbortFanOut, type AbortFollower } from './abort-fan-out.js';

function follower(name: string, heard: string[], then?: () => void): AbortFollower {
  return {
    signalAborted() {
      heard.push(name);
      then?.();
    },
  };
}

describe('AbortFanOut', () => {
  it('listens once to a signal however many follow it, and not once none does', () => {
    const fanOut = new AbortFanOut();
    const controller = new AbortController();
    const followers = Array.from({ length: 50 }, (_, n) => follower(String(n), []));

    for (const each of followers) fanOut.follow(controller.signal, each);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);

    for (const each of followers) fanOut.unfollow(controller.signal, each);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('tells every follower once, in the order they began to follow, then stops listening', () => {
    const fanOut = new AbortFanOut();
    const controller = new AbortController();
    const heard: string[] = [];
    for (const name of ['a', 'b', 'c', 'd'])
      fanOut.follow(controller.signal, follower(name, heard));

    controller.abort();
    controller.signal.dispatchEvent(new Event('abort'));

    expect(heard).toEqual(['a', 'b', 'c', 'd']);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('skips a follower that another one makes leave while the abort is told', () => {
    const fanOut = new AbortFanOut();
    const controller = new AbortController();
    const heard: string[] = [];
    const late = follower('late', heard);
    fanOut.follow(controller.signal, follower('first', heard));
    fanOut.follow(
      controller.signal,
      follower('second', heard, () => fanOut.unfollow(controller.signal, late)),
    );
    fanOut.follow(controller.signal, late);

    controller.abort();

    expect(heard).toEqual(['first', 'second']);
  });

  it('tells 100,000 followers of one signal, each once', () => {
    const fanOut = new AbortFanOut();
    const controller = new AbortController();
    let told = 0;
    const each: AbortFollower = { signalAborted: () => told++ };
    for (let n = 0; n < 100_000; n++) fanOut.follow(controller.signal, { ...each });

    controller.abort();

    expect(told).toBe(100_000);
  });
});
