/**
 * Decimal strings to doubles on the book's hot path: every level of every diff has a price and a quantity
 * to convert, and `Number(s)` is the largest single cost of applying a Binance diff after `JSON.parse`.
 */

/** 2^53: integers below it are exact doubles. */
const TWO_POW_53 = 9007199254740992;
/** 10^0 … 10^22: every one is an exact double (5^22 < 2^53). */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];
/** Fraction digits of Clinger's fast path: 10^22 is the largest exact power of ten. */
const MAX_FAST_PLACES = 22;
const CHAR_0 = 48;
const CHAR_DOT = 46;

/**
 * Returns `Number(s)`, bit for bit, for any string; fast for the plain decimals venues send
 * ("61837.63000000", "0.00001234"). Clinger's fast path (W. D. Clinger 1990, "How to read floating point
 * numbers accurately"): when the digits without the dot form an integer m < 2^53 and the fraction has
 * k ≤ 22 digits, m and 10^k are exact doubles, and IEEE division rounds m / 10^k to the double nearest
 * the decimal's value, which is what `Number` returns. Anything else (more digits, signs, exponents,
 * spaces, no digit at all) goes to `Number`.
 */
export function parseDecimal(s: string): number {
  const n = s.length;
  let m = 0;
  let i = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - CHAR_0;
    if (d < 0 || d > 9) break;
    m = m * 10 + d;
  }
  const intDigits = i;
  if (i === n) return intDigits > 0 && m < TWO_POW_53 ? m : Number(s);
  if (s.charCodeAt(i) !== CHAR_DOT) return Number(s);
  for (i++; i < n; i++) {
    const d = s.charCodeAt(i) - CHAR_0;
    if (d < 0 || d > 9) return Number(s);
    m = m * 10 + d;
  }
  const k = n - intDigits - 1;
  if (intDigits + k === 0) return Number(s);
  const value = fastDecimal(m, k);
  return Number.isNaN(value) ? Number(s) : value;
}

/**
 * Returns the decimal whose digits, without the dot, form the integer `m` and whose fraction has `places`
 * digits, bit for bit as `Number` reads it, when Clinger's fast path applies (m < 2^53 and places <= 22,
 * see parseDecimal); NaN otherwise. For scanners that accumulate `m` while they validate the digits.
 */
export function fastDecimal(m: number, places: number): number {
  return m < TWO_POW_53 && places <= MAX_FAST_PLACES ? m / (POW10[places] as number) : NaN;
}

/** 2^52: a decimal's digits below it leave the double within half a unit of its last place. */
const TWO_POW_52 = 4503599627370496;
/** The most fraction digits `Number.prototype.toFixed` writes. */
const MAX_FIXED_PLACES = 100;

/**
 * Returns the number of fraction digits d of a plain decimal `s` when `Number(s).toFixed(d) === s`, or -1
 * when that cannot be promised. It can be promised for a canonical spelling (digits, at most one dot with
 * at least one digit after it, no leading zero before another integer digit) whose digits without the dot
 * form an integer m < 2^52: the double nearest m / 10^d is then within m·2^-53 / 10^d < 0.5·10^-d of it,
 * and `toFixed(d)` rounds it exactly back (ECMA-262 Number.prototype.toFixed). Two such decimals with
 * equal doubles are the same decimal, for the same reason: on the finer of their two grids their
 * distance would be at least one unit, more than the two rounding errors together.
 */
export function fixedPlaces(s: string): number {
  const n = s.length;
  if (n === 0) return -1;
  let m = 0;
  let i = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - CHAR_0;
    if (d < 0 || d > 9) break;
    m = m * 10 + d;
  }
  if (i === 0 || (i > 1 && s.charCodeAt(0) === CHAR_0)) return -1;
  if (i === n) return m < TWO_POW_52 ? 0 : -1;
  if (s.charCodeAt(i) !== CHAR_DOT || i === n - 1) return -1;
  const dot = i;
  for (i++; i < n; i++) {
    const d = s.charCodeAt(i) - CHAR_0;
    if (d < 0 || d > 9) return -1;
    m = m * 10 + d;
  }
  const places = n - dot - 1;
  return m < TWO_POW_52 && places <= MAX_FIXED_PLACES ? places : -1;
}
