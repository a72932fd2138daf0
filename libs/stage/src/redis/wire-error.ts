import { ChannelClosedError } from '../core/errors/channel-closed-error.js';
import { DeadLetteredError } from '../core/errors/dead-lettered-error.js';
import { RequestTimeoutError } from '../core/errors/request-timeout-error.js';
import { messageOf, stackOf, toError } from '../core/errors/thrown-value-error.js';

/** An error as it travels between replicas: plain data, its cause chain cut at a few levels. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
  readonly messageId?: string;
  readonly deliveryCount?: number;
  readonly timeoutMs?: number;
  readonly cause?: WireError;
}

const MAX_CAUSES = 4;

/**
 * Writes any thrown value as a {@link WireError}. Never throws: a value whose fields throw when
 * read (a hostile getter, a revoked `Proxy`) is written with what could be read.
 */
export function toWireError(error: unknown, depth = 0): WireError {
  try {
    return readWireError(error, depth);
  } catch {
    return { name: 'Error', message: messageOf(toError(error)) };
  }
}

function readWireError(error: unknown, depth: number): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields = error as Error & {
    code?: unknown;
    messageId?: unknown;
    deliveryCount?: unknown;
    timeoutMs?: unknown;
  };
  const name: unknown = error.name;
  const stack = stackOf(error);
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: messageOf(error),
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(stack === undefined ? {} : { stack }),
    ...(typeof fields.messageId === 'string' ? { messageId: fields.messageId } : {}),
    ...(typeof fields.deliveryCount === 'number' ? { deliveryCount: fields.deliveryCount } : {}),
    ...(typeof fields.timeoutMs === 'number' ? { timeoutMs: fields.timeoutMs } : {}),
    ...(error.cause !== undefined && depth < MAX_CAUSES
      ? { cause: toWireError(error.cause, depth + 1) }
      : {}),
  };
}

/**
 * Reads a {@link WireError} back. Stage's request errors come back as their own classes (so that
 * `isStageError` and `instanceof` work on the requester's side as in memory); any other error as
 * an `Error` with the original name, message, code and stack.
 */
export function fromWireError(wire: WireError, channel: string): Error {
  const cause = wire.cause === undefined ? undefined : fromWireError(wire.cause, channel);
  switch (wire.code) {
    case 'STAGE_DEAD_LETTERED':
      return new DeadLetteredError(
        channel,
        wire.messageId ?? '',
        wire.deliveryCount ?? 0,
        cause ?? new Error('unknown cause'),
      );
    case 'STAGE_CHANNEL_CLOSED':
      return new ChannelClosedError(channel);
    case 'STAGE_REQUEST_TIMEOUT':
      return new RequestTimeoutError(channel, wire.timeoutMs ?? 0, wire.messageId);
  }
  const error = new Error(wire.message, cause === undefined ? undefined : { cause });
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  if (wire.code !== undefined) Object.assign(error, { code: wire.code });
  return error;
}

/** Whether `value` has the shape of a {@link WireError}. */
export function isWireError(value: unknown): value is WireError {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as WireError).name === 'string' &&
    typeof (value as WireError).message === 'string'
  );
}
