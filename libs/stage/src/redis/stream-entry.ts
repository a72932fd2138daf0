import type { MessageSerializer } from './message-serializer.js';
import { RedisTransportError } from './errors/redis-transport-error.js';
import { fromWireError, isWireError, toWireError } from './wire-error.js';
import type { DeadLetter } from '../core/channel/dead-letter.js';
import type { StoredMessage } from '../core/channel/channel-storage.js';
import type { RemoteReply } from '../core/channel/channel-storage.js';

/** A message read from the stream, decoded. */
export interface DecodedEntry {
  /** The stream entry's id (`<ms>-<seq>`), used to acknowledge it. */
  readonly entryId: string;
  /** The message's Stage id. */
  readonly id: string;
  readonly body: unknown;
  /** For a request: the pub/sub channel its reply goes to. */
  readonly replyTo: string | undefined;
  /** For a request with a timeout: when its sender stops waiting (ms since the epoch). */
  readonly expiresAt: number | undefined;
}

/** The fields of the stream entry for `message`, as `XADD` takes them. */
export function entryFields(
  message: StoredMessage<unknown>,
  serializer: MessageSerializer,
  replyTo: string,
): string[] {
  const fields = ['id', message.id];
  if (message.body !== undefined) fields.push('body', serializer.encode(message.body));
  if (message.isRequest) {
    fields.push('reply', replyTo);
    if (message.expiresAt !== undefined) fields.push('expires', String(message.expiresAt));
  }
  return fields;
}

/** The fields of an entry as a map (Redis returns them as a flat list). */
export function fieldMap(raw: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  if (!Array.isArray(raw)) return fields;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    fields.set(String(raw[index]), String(raw[index + 1]));
  }
  return fields;
}

/**
 * Decodes an entry. Throws when the serializer cannot read the body or the entry is not one of
 * Stage's (no `id` field): the caller dead-letters it as unreadable.
 */
export function decodeEntry(
  entryId: string,
  fields: Map<string, string>,
  serializer: MessageSerializer,
): DecodedEntry {
  const id = fields.get('id');
  if (id === undefined) throw new Error(`entry ${entryId} has no "id" field: not a Stage message`);
  const body = fields.get('body');
  const expires = fields.get('expires');
  return {
    entryId,
    id,
    body: body === undefined ? undefined : serializer.decode(body),
    replyTo: fields.get('reply'),
    expiresAt: expires === undefined ? undefined : Number(expires),
  };
}

/** The fields of a dead-letter entry. The body is kept as the text the stream had. */
export function deadLetterFields(
  letter: DeadLetter<unknown>,
  serializer: MessageSerializer,
): string[] {
  const fields = [
    'id',
    letter.id,
    'deliveries',
    String(letter.deliveryCount),
    'at',
    String(letter.at),
    'error',
    JSON.stringify(toWireError(letter.error)),
  ];
  if (letter.body !== undefined) fields.push('body', serializer.encode(letter.body));
  return fields;
}

/** Reads a dead-letter entry back; an unreadable body is kept as its raw text. */
export function decodeDeadLetter(
  fields: Map<string, string>,
  serializer: MessageSerializer,
  channel: string,
): DeadLetter<unknown> {
  const raw = fields.get('body');
  let body: unknown = raw;
  if (raw !== undefined) {
    try {
      body = serializer.decode(raw);
    } catch {
      body = raw;
    }
  }
  let error: Error = new Error('unknown error');
  try {
    const wire: unknown = JSON.parse(fields.get('error') ?? 'null');
    if (isWireError(wire)) error = fromWireError(wire, channel);
  } catch {
    // Keeps the placeholder: a letter is still shown when its error cannot be read.
  }
  return {
    id: fields.get('id') ?? '',
    body,
    deliveryCount: Number(fields.get('deliveries') ?? 0),
    error,
    at: Number(fields.get('at') ?? 0),
  };
}

/** The text published on a requester's reply channel. */
export function encodeReply(id: string, reply: RemoteReply, serializer: MessageSerializer): string {
  if (!reply.ok) return JSON.stringify({ id, ok: false, error: toWireError(reply.error) });
  if (reply.value === undefined) return JSON.stringify({ id, ok: true });
  return JSON.stringify({ id, ok: true, value: serializer.encode(reply.value) });
}

/**
 * Reads a reply published by {@link encodeReply}; `undefined` when it is not one. A reply value
 * the serializer cannot decode becomes a failed reply with `RedisTransportError`.
 *
 * @throws when `text` is not JSON (then no request can be told: the caller reports it).
 */
export function decodeReply(
  text: string,
  serializer: MessageSerializer,
  channel: string,
): { readonly id: string; readonly reply: RemoteReply } | undefined {
  const parsed = JSON.parse(text) as {
    id?: unknown;
    ok?: unknown;
    value?: unknown;
    error?: unknown;
  };
  if (typeof parsed?.id !== 'string' || typeof parsed.ok !== 'boolean') return undefined;
  if (!parsed.ok) {
    const error = isWireError(parsed.error)
      ? fromWireError(parsed.error, channel)
      : new Error('the handler failed');
    return { id: parsed.id, reply: { ok: false, error } };
  }
  if (typeof parsed.value !== 'string')
    return { id: parsed.id, reply: { ok: true, value: undefined } };
  try {
    return { id: parsed.id, reply: { ok: true, value: serializer.decode(parsed.value) } };
  } catch (error) {
    // The requester cannot read the reply: it is told so, rather than left waiting for one.
    const failure = new RedisTransportError(
      channel,
      `decode the reply to request ${parsed.id}`,
      error,
    );
    return { id: parsed.id, reply: { ok: false, error: failure } };
  }
}
