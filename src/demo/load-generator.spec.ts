import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { generateLoad } from './load-generator.js';

/** The servers of the test. */
const servers: Server[] = [];
/** The answers the servers still hold back. */
const delayed = new Set<NodeJS.Timeout>();

afterEach(async () => {
  for (const timer of delayed) clearTimeout(timer);
  delayed.clear();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Serves `answer(a, b, n)` for the n-th request (from 0); returns the URL of `/add`. */
async function serve(
  answer: (a: number, b: number, n: number) => { status: number; body: unknown; delayMs?: number },
): Promise<string> {
  let n = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const {
      status,
      body,
      delayMs = 0,
    } = answer(Number(query.get('a')), Number(query.get('b')), n++);
    const timer = setTimeout(() => {
      delayed.delete(timer);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    }, delayMs);
    delayed.add(timer);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/add`;
}

describe('generateLoad', () => {
  it('counts right sums, wrong sums and non-2xx answers apart', async () => {
    const url = await serve((a, b, n) => {
      if (n % 10 === 3) return { status: 500, body: { message: 'boom' } };
      if (n % 10 === 7) return { status: 200, body: { a, b, sum: a + b + 1 } };
      return { status: 200, body: { a, b, sum: a + b } };
    });

    const result = await generateLoad({ url, durationMs: 300, connections: 4, seed: 1 });

    expect(result.sent).toBeGreaterThan(20);
    expect(result.non2xx).toBe(Math.floor((result.sent + 6) / 10));
    expect(result.wrongSums).toBe(Math.floor((result.sent + 2) / 10));
    expect(result.correct + result.non2xx + result.wrongSums).toBe(result.sent);
    expect(result.cutOff).toBe(0);
  });

  it('sends operands of its own with each request, and reads the echo back', async () => {
    const seen = new Set<string>();
    const url = await serve((a, b) => {
      seen.add(`${a},${b}`);
      return { status: 200, body: { a: b, b: a, sum: a + b } };
    });

    const result = await generateLoad({ url, durationMs: 200, connections: 2, seed: 3 });

    expect(seen.size).toBe(result.sent);
    expect(result.wrongSums).toBe(result.sent);
  });

  it('shares its connections between several URLs, round-robin', async () => {
    const hits = [0, 0];
    const urls = await Promise.all(
      hits.map((_, i) =>
        serve((a, b) => {
          hits[i]! += 1;
          return { status: 200, body: { a, b, sum: a + b } };
        }),
      ),
    );

    const result = await generateLoad({ url: urls, durationMs: 200, connections: 4, seed: 1 });

    expect(result.correct).toBe(result.sent);
    expect(hits[0]! + hits[1]!).toBe(result.sent);
    expect(Math.min(...hits)).toBeGreaterThan(0);
  });

  it('lets the requests in flight be answered when the time is up, instead of cutting them off', async () => {
    const url = await serve((a, b) => ({ status: 200, body: { a, b, sum: a + b }, delayMs: 400 }));

    const result = await generateLoad({ url, durationMs: 100, connections: 3, seed: 1 });

    expect(result).toMatchObject({ sent: 3, correct: 3, cutOff: 0, timeouts: 0 });
    expect(result.latency.p50).toBeGreaterThanOrEqual(400);
  });

  it('counts a request left unanswered past the timeout', async () => {
    const url = await serve((a, b, n) =>
      n === 0
        ? { status: 200, body: {}, delayMs: 60_000 }
        : { status: 200, body: { a, b, sum: a + b } },
    );

    const result = await generateLoad({
      url,
      durationMs: 1_100,
      connections: 1,
      seed: 1,
      timeoutSeconds: 1,
    });

    expect(result.timeouts).toBe(1);
    expect(result.correct).toBe(result.sent - 1);
  });
});
