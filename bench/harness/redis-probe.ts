import net from 'node:net';

/**
 * Where the benchmarks expect Redis: 127.0.0.1:6379, or `BENCH_REDIS_HOST` / `BENCH_REDIS_PORT`.
 * Only loopback or the project's own test hosts belong here.
 */
export const REDIS: { readonly host: string; readonly port: number } = {
  host: process.env.BENCH_REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_REDIS_PORT ?? 6379),
};

/**
 * Whether a Redis server answers `PING` at `host:port` within `timeoutMs`. Uses a bare socket so
 * that an absent server costs one refused connection, not a client's reconnect loop.
 */
export function isRedisReachable(options: {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs?: number;
}): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: options.host, port: options.port });
    const finish = (reachable: boolean): void => {
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(options.timeoutMs ?? 1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}
