import { createHook } from 'node:async_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Follows the timers and immediates created while it is enabled. */
export interface TimerTracker {
  /** Resolves with the timers created since `trackTimers()` that are still pending. */
  pending(): Promise<number>;
  disable(): void;
}

/**
 * Starts recording every `setTimeout`, `setInterval` and `setImmediate` created from now on, and
 * forgetting each one as it fires or is cleared. An async hook is exact where a count of active
 * resources is not: timers of the test runner come and go meanwhile.
 */
export function trackTimers(): TimerTracker {
  const open = new Set<number>();
  /** Set while `pending()` waits, so that its own immediates are not counted. */
  let measuring = false;
  const hook = createHook({
    init(asyncId, type) {
      if (measuring) return;
      if (type === 'Timeout' || type === 'Immediate') open.add(asyncId);
    },
    destroy(asyncId) {
      open.delete(asyncId);
    },
  }).enable();

  return {
    async pending() {
      // Destroy hooks are emitted on a later turn of the event loop.
      measuring = true;
      await nextTurn();
      await nextTurn();
      measuring = false;
      return open.size;
    },
    disable() {
      hook.disable();
    },
  };
}
