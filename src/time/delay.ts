/**
 * Resolves after `ms`, on the global timers (so that tests can fake them).
 *
 * - **Cancellation**: when `signal` fires first, the timer is cleared and the promise rejects with
 *   the signal's reason; a signal that has already fired rejects at once.
 */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);

  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
