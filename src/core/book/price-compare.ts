/**
 * Exact comparison of venue decimal strings ("61837.63000000", "0.00001234"): the same level can be
 * spelled "1.10" or "1.1", and two different levels must never merge (BINANCE.md: "float price keys
 * merging or splitting levels"). Inputs are non-negative fixed-point decimals, the shape
 * exchanges/binance/parse.ts accepts (`^\d+(\.\d+)?$`).
 */

/** Decimals with at most this many significant digits round-trip through a double (IEEE 754 DBL_DIG). */
const EXACT_DOUBLE_DIGITS = 15;

const CHAR_0 = 48;
const CHAR_1 = 49;
const CHAR_9 = 57;
const CHAR_DOT = 46;

/**
 * Returns true when `s` has at most 15 significant digits, so that `Number(s)` identifies it: two such
 * decimals are equal exactly when their doubles are equal.
 */
export function isExactAsDouble(s: string): boolean {
  // 15 characters cannot hold 16 digits: this covers Binance BTCUSDT-style prices without a scan.
  if (s.length <= EXACT_DOUBLE_DIGITS) return true;
  let first = -1;
  let last = -1;
  let dot = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= CHAR_1 && c <= CHAR_9) {
      if (first < 0) first = i;
      last = i;
    } else if (c === CHAR_DOT) {
      dot = i;
    }
  }
  if (first < 0) return true;
  const digits = last - first + 1 - (dot > first && dot < last ? 1 : 0);
  return digits <= EXACT_DOUBLE_DIGITS;
}

/**
 * Returns -1, 0 or 1 as decimal `a` is below, equal to or above decimal `b`, digit by digit (no
 * floating point). Leading zeros of the integer part and trailing zeros of the fraction are ignored.
 */
export function compareDecimalStrings(a: string, b: string): number {
  const aDot = a.indexOf('.');
  const bDot = b.indexOf('.');
  const aIntEnd = aDot < 0 ? a.length : aDot;
  const bIntEnd = bDot < 0 ? b.length : bDot;
  let ai = 0;
  while (ai < aIntEnd && a.charCodeAt(ai) === CHAR_0) ai++;
  let bi = 0;
  while (bi < bIntEnd && b.charCodeAt(bi) === CHAR_0) bi++;
  // A longer integer part (without leading zeros) is a larger number.
  const aIntLen = aIntEnd - ai;
  const bIntLen = bIntEnd - bi;
  if (aIntLen !== bIntLen) return aIntLen < bIntLen ? -1 : 1;
  for (; ai < aIntEnd; ai++, bi++) {
    const d = a.charCodeAt(ai) - b.charCodeAt(bi);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  let aEnd = a.length;
  if (aDot >= 0) while (aEnd > aDot + 1 && a.charCodeAt(aEnd - 1) === CHAR_0) aEnd--;
  let bEnd = b.length;
  if (bDot >= 0) while (bEnd > bDot + 1 && b.charCodeAt(bEnd - 1) === CHAR_0) bEnd--;
  const aFrac = aDot < 0 ? 0 : aEnd - aDot - 1;
  const bFrac = bDot < 0 ? 0 : bEnd - bDot - 1;
  const common = Math.min(aFrac, bFrac);
  for (let k = 1; k <= common; k++) {
    const d = a.charCodeAt(aDot + k) - b.charCodeAt(bDot + k);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  // Trailing zeros are stripped, so the longer fraction ends in a non-zero digit and is larger.
  if (aFrac === bFrac) return 0;
  return aFrac < bFrac ? -1 : 1;
}

/**
 * Returns -1, 0 or 1 comparing two decimal price strings exactly. Fast path: differing doubles order
 * correctly (rounding is monotonic), and equal doubles mean equal decimals when both have at most 15
 * significant digits; otherwise the digits decide.
 */
export function comparePriceStrings(a: string, b: string): number {
  if (a === b) return 0;
  const x = Number(a);
  const y = Number(b);
  if (x < y) return -1;
  if (x > y) return 1;
  if (isExactAsDouble(a) && isExactAsDouble(b)) return 0;
  return compareDecimalStrings(a, b);
}

/** Returns true when `a` and `b` spell the same decimal ("1.10" and "1.1"). */
export function samePrice(a: string, b: string): boolean {
  return comparePriceStrings(a, b) === 0;
}
