/**
 * The one way obi waits: an abortable timer, so Ctrl-C never has to wait for a sleep to run out.
 */
import { onceAborted } from './abort-relay.js';

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
    const timer = setTimeout(
      () => {
        unlink?.();
        resolve();
      },
      Math.max(0, ms),
    );
    // Through the relay: many sleeps share the signal's one listener (see abort-relay.ts).
    const unlink =
      signal === undefined
        ? undefined
        : onceAborted(signal, () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
  });
}
