/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015):
 * delay = random() × min(cap, base × 2^attempt). Full jitter spreads retries of many clients (or many
 * symbols of one client) over the whole window instead of synchronising them.
 */

/** Base delay of the first retry, in ms. */
export const DEFAULT_BACKOFF_BASE_MS = 100;
/** Upper bound of any single delay, in ms. */
export const MAX_BACKOFF_MS = 2_000;

/** How retries are spaced. */
export interface BackoffPolicy {
  /**
   * Window of the first retry (attempt 0), in ms; each further attempt doubles it.
   * @default 100
   */
  readonly baseMs?: number;
  /**
   * Largest window, in ms.
   * @default 2000
   */
  readonly maxMs?: number;
}

/**
 * Returns the delay before retry number `attempt` (0 = the first retry) in ms: a uniform draw from
 * [0, min(maxMs, baseMs·2^attempt)) using `random` (a source of [0, 1) numbers, injected so tests are exact).
 */
export function backoffDelayMs(attempt: number, random: () => number, policy: BackoffPolicy = {}): number {
  const baseMs = policy.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const maxMs = policy.maxMs ?? MAX_BACKOFF_MS;
  // 2^attempt overflows to Infinity for large attempts; min() with the cap keeps the result finite.
  const windowMs = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  const r = Math.min(Math.max(random(), 0), 1);
  return r * windowMs;
}
