import autocannon from 'autocannon';
import { seededRandom } from 'nestjs-stage';

import type { LoadResult } from './load-result.js';

/** Options of {@link generateLoad}. */
export interface LoadOptions {
  /**
   * The endpoint, for example `http://127.0.0.1:3000/v1/add`; operands are added as a query.
   * Several URLs of the same path (replicas of one application) share the connections between
   * them, round-robin, as a load balancer would.
   */
  readonly url: string | readonly string[];
  /** How long new requests are sent, in ms; then the requests in flight are answered. */
  readonly durationMs: number;
  /** How many connections send at once, one request in flight each. */
  readonly connections: number;
  /** Seeds the operands, so a run can be repeated. */
  readonly seed: number;
  /** A request unanswered this long counts as a timeout, in seconds; default 10. */
  readonly timeoutSeconds?: number;
}

/** The operands a connection's request in flight was sent with. */
interface Asked {
  readonly a: number;
  readonly b: number;
}

/**
 * Drives `GET <url>?a=…&b=…` with autocannon, each request with fresh operands, and checks every
 * answer's sum.
 *
 * Autocannon ends a timed run by destroying its connections, which would cut off the requests in
 * flight and count them as never answered. Instead, when `durationMs` is over, each connection
 * sends nothing more and ends once its last request is answered (see {@link finishInFlight});
 * autocannon's own deadline, later by the timeout and a grace second, remains the backstop.
 *
 * @throws (rejects) What autocannon fails with, for example a bad URL.
 */
export async function generateLoad(options: LoadOptions): Promise<LoadResult> {
  const { url, durationMs, connections, seed, timeoutSeconds = 10 } = options;
  const urls = typeof url === 'string' ? [url] : [...url];
  const path = new URL(urls[0] ?? '').pathname;
  const random = seededRandom(seed);
  /** The operands of each connection's request in flight, by autocannon's context object. */
  const askedBy = new WeakMap<object, Asked>();
  const clients: autocannon.Client[] = [];
  const counts = { sent: 0, correct: 0, wrongSums: 0, non2xx: 0 };

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const finishTimer = setTimeout(() => {
      if (!clients.every(canFinishInFlight)) instance.stop();
      else clients.forEach(finishInFlight);
    }, durationMs);
    const instance = autocannon(
      {
        // autocannon 9 also takes an array of URLs (connection i goes to URL i modulo their
        // number), which its type definitions do not say.
        url: (urls.length === 1 ? urls[0] : urls) as string,
        connections,
        duration: durationMs / 1000 + timeoutSeconds + 1,
        timeout: timeoutSeconds,
        setupClient: (client) => clients.push(client),
        requests: [
          {
            setupRequest: (request, context) => {
              const asked = { a: operand(random), b: operand(random) };
              askedBy.set(context, asked);
              counts.sent++;
              return { ...request, path: `${path}?a=${asked.a}&b=${asked.b}` };
            },
            onResponse: (status, body, context) => {
              if (status < 200 || status > 299) counts.non2xx++;
              else if (isRightSum(body, askedBy.get(context))) counts.correct++;
              else counts.wrongSums++;
            },
          },
        ],
      },
      (error: unknown, done) => {
        clearTimeout(finishTimer);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(done);
      },
    );
  });

  const answered = counts.correct + counts.wrongSums + counts.non2xx;
  return {
    ...counts,
    timeouts: result.timeouts,
    connectionErrors: result.errors - result.timeouts,
    cutOff: Math.max(0, counts.sent - answered - result.errors),
    latency: { p50: result.latency.p50, p99: result.latency.p99 },
    seconds: result.duration,
  };
}

/** The autocannon 9 internals {@link finishInFlight} relies on. */
interface ClientInternals {
  /** Requests written on this connection so far. */
  reqsMade?: unknown;
  /** The connection ends once this many requests were made and answered; unset: no limit. */
  responseMax?: unknown;
}

/** Whether {@link finishInFlight} can work on `client` (its internals are as expected). */
function canFinishInFlight(client: autocannon.Client): boolean {
  const internals = client as unknown as ClientInternals;
  return typeof internals.reqsMade === 'number' && internals.reqsMade >= 1;
}

/**
 * Lets a connection's request in flight be answered, then ends the connection: autocannon ends a
 * connection once it has made `responseMax` requests (its per-connection `amount`) and got their
 * answers, so setting that to the count made so far stops it after the one in flight. These are
 * internals: when {@link canFinishInFlight} says they are not there, the run is stopped at once
 * instead, and what was in flight is reported as cut off.
 */
function finishInFlight(client: autocannon.Client): void {
  const internals = client as unknown as ClientInternals;
  internals.responseMax = internals.reqsMade;
}

/** A number from -10,000 to 10,000 with two decimals, as a client might send. */
function operand(random: () => number): number {
  return Math.round(random() * 2_000_000 - 1_000_000) / 100;
}

function isRightSum(body: string, asked: Asked | undefined): boolean {
  if (asked === undefined) return false;
  try {
    const answer: unknown = JSON.parse(body);
    return (
      typeof answer === 'object' &&
      answer !== null &&
      'sum' in answer &&
      answer.sum === asked.a + asked.b &&
      'a' in answer &&
      answer.a === asked.a &&
      'b' in answer &&
      answer.b === asked.b
    );
  } catch {
    return false;
  }
}
