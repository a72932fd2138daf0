import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

import { ClientDisconnectedError } from './errors/client-disconnected-error.js';

/** The signal of each request, so that several parameters of one request share it. */
const signals = new WeakMap<object, AbortSignal>();

/** The Node response behind a platform's response object (Express: itself; Fastify: `raw`). */
interface NodeResponse {
  readonly writableFinished: boolean;
  /** Set once the response has closed: a `close` listener added later would never run. */
  readonly closed?: boolean;
  readonly destroyed?: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * The `AbortSignal` of the current HTTP request, as a route handler parameter: it fires, with a
 * `ClientDisconnectedError`, when the client disconnects before its response has been sent, and
 * never once the response has been sent; at once when the client had already gone before the
 * parameter was read (a slow guard or pipe ran first). Pass it on to the work done for the request, for
 * example `channel.request(body, { signal })`, which is then withdrawn if it is still buffered
 * (a handler already holding it may finish; its reply is ignored).
 *
 * Works with `@nestjs/platform-express` and `@nestjs/platform-fastify` (through the raw Node
 * response). Outside HTTP, or with a response Stage cannot watch, the signal never fires. Costs
 * one `AbortController` and one `close` listener per request that asks for it, released with the
 * response.
 *
 * @example
 * ```ts
 * @Post('add')
 * add(@Body() operands: Operands, @RequestAbortSignal() signal: AbortSignal): Promise<number> {
 *   return this.adder.request(operands, { timeoutMs: 2_000, signal });
 * }
 * ```
 */
export const RequestAbortSignal: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AbortSignal => {
    if (context.getType() !== 'http') return new AbortController().signal;
    const http = context.switchToHttp();
    const request: unknown = http.getRequest();
    const key = typeof request === 'object' && request !== null ? request : undefined;
    const known = key === undefined ? undefined : signals.get(key);
    if (known !== undefined) return known;

    const signal = disconnectSignal(http.getResponse());
    if (key !== undefined) signals.set(key, signal);
    return signal;
  },
);

function disconnectSignal(response: unknown): AbortSignal {
  const controller = new AbortController();
  const node = nodeResponseOf(response);
  if (node === undefined) return controller.signal;
  if (node.writableFinished) return controller.signal;
  // The client may be gone already (a slow guard or pipe ran before this parameter was read):
  // its `close` has been emitted, so the signal fires at once.
  if (node.closed === true || node.destroyed === true) {
    controller.abort(new ClientDisconnectedError());
    return controller.signal;
  }
  node.once('close', () => {
    if (!node.writableFinished) controller.abort(new ClientDisconnectedError());
  });
  return controller.signal;
}

function nodeResponseOf(response: unknown): NodeResponse | undefined {
  if (isNodeResponse(response)) return response;
  const raw: unknown = (response as { raw?: unknown } | null)?.raw;
  return isNodeResponse(raw) ? raw : undefined;
}

function isNodeResponse(value: unknown): value is NodeResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<NodeResponse>).once === 'function' &&
    typeof (value as Partial<NodeResponse>).writableFinished === 'boolean'
  );
}
