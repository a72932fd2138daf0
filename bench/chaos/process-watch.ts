import { collectGarbage } from '../harness/statistics.js';

/** A snapshot of what the process holds: heap after a full GC, and active handles by type. */
export interface ProcessSnapshot {
  readonly heapUsedBytes: number;
  /** `process.getActiveResourcesInfo()` grouped by type, for example `{ Timeout: 2 }`. */
  readonly resources: Readonly<Record<string, number>>;
}

/** Takes a {@link ProcessSnapshot}, after letting pending callbacks run and collecting garbage. */
export async function snapshotProcess(): Promise<ProcessSnapshot> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  collectGarbage();
  collectGarbage();
  const resources: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
  return { heapUsedBytes: process.memoryUsage().heapUsed, resources };
}

/** Resource types that Stage could leave behind: timers and immediates. */
const LEAKABLE = ['Timeout', 'Immediate'];

/** The leakable resources that `after` holds beyond `before`, as sentences. */
export function leakedResources(before: ProcessSnapshot, after: ProcessSnapshot): string[] {
  return LEAKABLE.flatMap((type) => {
    const extra = (after.resources[type] ?? 0) - (before.resources[type] ?? 0);
    return extra > 0 ? [`${extra} more active ${type} handle(s) after the run than before`] : [];
  });
}

/**
 * Counts, for the duration of a run, what must never happen: an unhandled promise rejection, and
 * a `MaxListenersExceededWarning` (the sign of listeners piling up on a long-lived emitter or
 * signal). Adds process listeners on creation; {@link ProcessWatch.dispose} removes them.
 */
export class ProcessWatch {
  unhandledRejections = 0;
  maxListenersWarnings = 0;
  /** The first few messages, for the report. */
  readonly samples: string[] = [];

  private readonly onRejection = (reason: unknown): void => {
    this.unhandledRejections += 1;
    this.sample(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  };

  private readonly onWarning = (warning: Error): void => {
    if (warning.name !== 'MaxListenersExceededWarning') return;
    this.maxListenersWarnings += 1;
    this.sample(`${warning.name}: ${warning.message}`);
  };

  constructor() {
    process.on('unhandledRejection', this.onRejection);
    process.on('warning', this.onWarning);
  }

  /** Removes the process listeners; call once, after the run and a last turn of the loop. */
  dispose(): void {
    process.off('unhandledRejection', this.onRejection);
    process.off('warning', this.onWarning);
  }

  private sample(text: string): void {
    if (this.samples.length < 5) this.samples.push(text);
  }
}
