/**
 * Counts completed operations and resolves a batch when its last operation is done.
 *
 * Consumers call {@link BatchCounter.tick} once per operation they finish; the harness calls
 * {@link BatchCounter.expect} before issuing a batch. Ticks outside a batch are counted as
 * strays, which a correct fixture never produces (a lost or duplicated operation shows up here).
 */
export class BatchCounter {
  /** Operations still expected in the current batch; 0 when no batch is open. */
  private remaining = 0;
  /** Resolves the current batch; set only while a batch is open. */
  private resolveBatch: (() => void) | undefined;
  /** Resolves the callers of {@link BatchCounter.whenOpen}; set only while they wait. */
  private resolveOpen: (() => void) | undefined;
  /** The promise those callers share; set only while they wait. */
  private opened: Promise<void> | undefined;
  /** Ticks received while no batch was open. */
  strays = 0;

  /** Whether a batch is open (expected and not yet complete). */
  get isOpen(): boolean {
    return this.resolveBatch !== undefined;
  }

  /**
   * Resolves when a batch is open: at once if one is, otherwise at the next
   * {@link BatchCounter.expect} or {@link BatchCounter.release}. Lets a self-driving workload (a
   * restart loop) pause between batches so that it does not run while the other side is timed.
   */
  whenOpen(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    this.opened ??= new Promise<void>((resolve) => {
      this.resolveOpen = resolve;
    });
    return this.opened;
  }

  /** Wakes everything waiting in {@link BatchCounter.whenOpen}, for example to shut down. */
  release(): void {
    const resolve = this.resolveOpen;
    this.resolveOpen = undefined;
    this.opened = undefined;
    resolve?.();
  }

  /** Opens a batch of `count` operations; the promise resolves when all have ticked. */
  expect(count: number): Promise<void> {
    if (this.resolveBatch !== undefined) throw new Error('BatchCounter: a batch is already open.');
    if (count <= 0) return Promise.resolve();

    this.remaining = count;
    const batch = new Promise<void>((resolve) => {
      this.resolveBatch = resolve;
    });
    this.release();
    return batch;
  }

  /** Records one finished operation. */
  tick(): void {
    if (this.resolveBatch === undefined) {
      this.strays += 1;
      return;
    }

    this.remaining -= 1;
    if (this.remaining === 0) {
      const resolve = this.resolveBatch;
      this.resolveBatch = undefined;
      resolve();
    }
  }
}
