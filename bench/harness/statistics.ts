/** The median of `values`; `NaN` for an empty list. Does not modify its argument. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;

  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs a full garbage collection when the process was started with `--expose-gc`. */
export function collectGarbage(): void {
  globalThis.gc?.();
}

/** Whether `global.gc()` is available (the process was started with `--expose-gc`). */
export function canCollectGarbage(): boolean {
  return typeof globalThis.gc === 'function';
}
