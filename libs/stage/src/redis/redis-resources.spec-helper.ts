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
