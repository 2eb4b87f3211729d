/**
 * One abort listener per signal, shared by everything waiting on it. A poller keeps many requests and
 * sleeps in flight on its one stop signal, and Node warns (MaxListenersExceededWarning) once an AbortSignal
 * carries more than 10 listeners. `AbortSignal.any` adds no listener, but on Node 20 every call leaves a
 * WeakRef in the source signal for as long as that signal lives: a steady leak on a stop signal that lives
 * for days. So each signal gets one listener here, removed with the last waiter.
 */

interface Relay {
  readonly waiters: Set<() => void>;
  readonly listener: () => void;
}

// Keyed weakly by signal: the entry lives exactly as long as the signal has waiters, and never keeps a
// finished signal alive.
const relays = new WeakMap<AbortSignal, Relay>();

/**
 * Runs `onAbort` once when `signal` aborts (at once when it already has). Returns a function that
 * unregisters it, to call when the wait is over; calling it again, or after the abort, does nothing. However
 * many waiters a signal has, it carries one `abort` listener, removed when the last waiter unregisters.
 */
export function onceAborted(signal: AbortSignal, onAbort: () => void): () => void {
  if (signal.aborted) {
    onAbort();
    return () => {};
  }
  let relay = relays.get(signal);
  if (relay === undefined) {
    const waiters = new Set<() => void>();
    const listener = (): void => {
      relays.delete(signal);
      for (const waiter of [...waiters]) waiter();
      waiters.clear();
    };
    relay = { waiters, listener };
    relays.set(signal, relay);
    signal.addEventListener('abort', listener, { once: true });
  }
  // A wrapper of its own, so one callback registered twice is two waiters.
  const waiter = (): void => onAbort();
  const { waiters, listener } = relay;
  waiters.add(waiter);
  return () => {
    if (!waiters.delete(waiter) || waiters.size > 0) return;
    signal.removeEventListener('abort', listener);
    if (relays.get(signal)?.waiters === waiters) relays.delete(signal);
  };
}
