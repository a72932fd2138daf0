import { InvalidOptionError } from '../errors/invalid-option-error.js';

/** Options of `Channel.send`. */
export interface SendOptions {
  /**
   * Aborts the send while it waits for room (overflow `wait`): the sender gives its place back
   * and the send rejects with the signal's reason. Ignored once the message is accepted. Any
   * number of waiting sends and requests may share one signal: the channel listens to it once.
   */
  readonly signal?: AbortSignal;
}

/** Options of `Channel.request`. */
export interface RequestOptions {
  /**
   * How long to wait for the reply, in ms, from the call (waiting for room included): from 0 to
   * 2^31 - 1 (the longest timer Node arms). Default: no timeout, and no timer. Past it the request
   * rejects with `RequestTimeoutError`.
   */
  readonly timeoutMs?: number;
  /**
   * Aborts the request: it rejects with the signal's reason. The channel listens to a signal once
   * however many requests share it, and stops listening once none of them waits.
   */
  readonly signal?: AbortSignal;
}

/** Options of `Channel.close`. */
export interface CloseOptions {
  /**
   * How long consumers may drain what is left, in ms, from 0 to 2^31 - 1; default: the channel's
   * `drainTimeoutMs`.
   */
  readonly timeoutMs?: number;
}

/**
 * The options object given to a call, checked up front so that a bad one changes nothing: an
 * object, or `undefined`/`null` for none.
 *
 * @throws InvalidOptionError naming `channel "<channel>" <call>` and `options` for anything else.
 */
export function callOptions(
  channel: string,
  call: string,
  options: unknown,
): Record<string, unknown> | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') {
    const owner = `channel "${channel}" ${call}`;
    throw new InvalidOptionError(owner, 'options', options, 'an object, or nothing');
  }
  return options as Record<string, unknown>;
}

/**
 * The `signal` of a call's options, checked up front: a signal that is not an `AbortSignal` would
 * otherwise fail only once the call had to wait, after the message was queued.
 *
 * @throws InvalidOptionError naming `channel "<channel>" <call>` and `signal` when it is present
 * and not an `AbortSignal`.
 */
export function signalOption(
  channel: string,
  call: string,
  options: Record<string, unknown> | undefined,
): AbortSignal | undefined {
  const signal = options?.signal;
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  const owner = `channel "${channel}" ${call}`;
  throw new InvalidOptionError(owner, 'signal', signal, 'an AbortSignal, or nothing');
}
