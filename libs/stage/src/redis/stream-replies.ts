/** An entry as Redis returned it: its id and its fields (`undefined` once deleted). */
export interface RawEntry {
  readonly entryId: string;
  readonly fields: Map<string, string> | undefined;
}

/**
 * The entries of a stream reply shaped `[[stream, [[id, [field, value, …] | null], …]], …]`
 * (`XREADGROUP`; wrap `XRANGE`-like replies as `[[stream, reply]]`). `null` gives no entries.
 */
export function readEntries(raw: unknown): RawEntry[] {
  const entries: RawEntry[] = [];
  if (!Array.isArray(raw)) return entries;
  for (const stream of raw) {
    if (!Array.isArray(stream) || !Array.isArray(stream[1])) continue;
    for (const entry of stream[1] as unknown[]) {
      if (!Array.isArray(entry)) continue;
      entries.push({
        entryId: String(entry[0]),
        fields: Array.isArray(entry[1]) ? pairs(entry[1]) : undefined,
      });
    }
  }
  return entries;
}

/** The delivery count of each entry in an extended `XPENDING` reply, by entry id. */
export function readPendingCounts(raw: unknown): Map<string, number> {
  const counts = new Map<string, number>();
  if (!Array.isArray(raw)) return counts;
  for (const row of raw) {
    if (Array.isArray(row)) counts.set(String(row[0]), Number(row[3]));
  }
  return counts;
}

function pairs(flat: readonly unknown[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let index = 0; index + 1 < flat.length; index += 2) {
    fields.set(String(flat[index]), String(flat[index + 1]));
  }
  return fields;
}
