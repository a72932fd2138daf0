/**
 * A count and the noun that agrees with it, for messages: `countOf(1, 'restart')` is
 * `1 restart`, `countOf(6, 'restart')` is `6 restarts`, and `countOf(2, 'delivery', 'deliveries')`
 * is `2 deliveries`. Only 1 takes the singular, so `0 restarts` reads as English does.
 */
export function countOf(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
