/**
 * The one way obi waits: an abortable timer, so Ctrl-C never has to wait for a sleep to run out.
 */

/**
 * Returns a promise that resolves after `ms` milliseconds, or rejects with `signal.reason` as soon as
 * `signal` aborts (at once when it is already aborted). Non-positive `ms` resolves on the next macrotask.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
