/**
 * How a Redis channel turns message bodies and replies into strings and back. Both sides of a
 * channel (every replica) must use the same serializer.
 *
 * **Failure.** A body that `encode` rejects makes its send reject with that error (nothing is
 * stored). An entry that `decode` rejects is dead-lettered at once with that error, its raw text
 * kept as the body, so that one unreadable entry never blocks a consumer.
 */
export interface MessageSerializer {
  /** Turns a body or a reply into text. Never called with `undefined`. */
  encode(value: unknown): string;
  /** Turns text made by `encode` back into the value. */
  decode(text: string): unknown;
}

/** The default serializer: `JSON.stringify` / `JSON.parse` (no `Date`, `Map`, `bigint`…). */
export const JSON_SERIALIZER: MessageSerializer = Object.freeze({
  encode(value: unknown): string {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`cannot encode ${typeof value} as JSON`);
    return text;
  },
  decode(text: string): unknown {
    return JSON.parse(text) as unknown;
  },
});
