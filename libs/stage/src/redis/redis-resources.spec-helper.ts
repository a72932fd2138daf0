import { createHook } from 'node:async_hooks';
import type { Redis } from 'ioredis';

/** The sockets and timers this process keeps alive, by kind. */
export interface LiveHandles {
  readonly sockets: number;
  readonly timers: number;
}

/**
 * Sockets and timers alive once what is closing has closed (a few ms: far less than the 2 s
 * ioredis waits before it destroys a socket the server does not close), by kind.
 */
export async function liveHandles(): Promise<LiveHandles> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const kinds = process.getActiveResourcesInfo();
  return {
    sockets: kinds.filter((kind) => kind === 'TCPSocketWrap' || kind === 'TCPWRAP').length,
    timers: kinds.filter((kind) => kind === 'Timeout').length,
  };
}

/** How many connections the server of `client` has, `client`'s own included. */
export async function connectionCount(client: Redis): Promise<number> {
  const list = String(await client.call('CLIENT', 'LIST'));
  return list.split('\n').filter((line) => line.trim() !== '').length;
}

/** A timer or socket created while a {@link ResourceTracker} follows, and not destroyed yet. */
export interface TrackedResource {
  /** `Timeout` or `TCPWRAP`. */
  readonly type: string;
  /** The frame of Stage's sources it was created from, innermost first. */
  readonly createdAt: string;
}

/** Follows the timers and sockets created from now on, until each is destroyed. */
export interface ResourceTracker {
  /** Those still alive (a few ms after their end: destruction is reported asynchronously). */
  alive(): Promise<TrackedResource[]>;
  /** Stops following. */
  stop(): void;
}

/** Whether a stack frame is in Stage's own sources (libs/stage/src), specs and helpers aside. */
function inStageSources(frame: string): boolean {
  return frame.includes('/libs/stage/src/') && !frame.includes('.spec');
}

/**
 * Follows every timer (`unref()`ed ones too, which `process.getActiveResourcesInfo()` does not
 * list) and socket created from now on by Stage's code: with a frame of Stage's sources in its
 * creation stack, so that those of a client the test made and owns are left out.
 */
export function trackStageResources(): ResourceTracker {
  const alive = new Map<number, TrackedResource>();
  const hook = createHook({
    init(asyncId, type) {
      if (type !== 'Timeout' && type !== 'TCPWRAP') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 50;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      const createdAt = stack.split('\n').find(inStageSources);
      if (createdAt !== undefined) alive.set(asyncId, { type, createdAt: createdAt.trim() });
    },
    destroy(asyncId) {
      alive.delete(asyncId);
    },
  });
  hook.enable();
  return {
    async alive() {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return [...alive.values()];
    },
    stop() {
      hook.disable();
    },
  };
}
