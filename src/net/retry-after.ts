/**
 * `Retry-After` (RFC 9110 §10.2.3): either a non-negative number of seconds or an HTTP-date. Binance sends
 * seconds on 429 and 418 (binance-spot-api-docs rest-api.md, "LIMITS").
 */

/**
 * The longest wait a `Retry-After` can ask for: Binance's longest ban is 3 days (BINANCE.md, REST depth), and
 * a larger value (a proxy's, or garbage such as 99999999999999999999 s) must not become a time that
 * `Date` cannot print (RangeError past ±8.64e15 ms) or a timer cannot hold (2^31 − 1 ms).
 */
export const MAX_RETRY_AFTER_MS = 3 * 86_400_000;

/**
 * Returns how long to wait in milliseconds for a `Retry-After` header value, measured from `nowMs`
 * (epoch ms) when the value is an HTTP-date; a date in the past gives 0. Returns `null` when the header
 * is absent or unreadable, so the caller picks its own default; caps the wait at MAX_RETRY_AFTER_MS.
 */
export function parseRetryAfter(
  value: string | readonly string[] | null | undefined,
  nowMs: number,
): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (text === '') return null;
  // delay-seconds is 1*DIGIT; decimals are tolerated because some proxies send them.
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(text) * 1000));
  // An HTTP-date always names a weekday or month, so a bare number never reaches Date.parse.
  if (!/[a-z]/i.test(text)) return null;
  const dateMs = Date.parse(text);
  if (Number.isNaN(dateMs)) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, dateMs - nowMs));
}
