/**
 * Non-negative decimal strings in the form Binance sends (`"61837.63000000"`): digits, optionally a point
 * and more digits, never an exponent. Other sources (tardis CSV, written by JavaScript's number formatting)
 * may write `1e-7`; that is expanded here digit by digit, exactly, never through a float.
 */

const PLAIN = /^\d+(\.\d+)?$/;
const LOOSE = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;
/** Exponents beyond this are not prices or quantities; refusing them bounds the string length. */
const MAX_EXPONENT = 40;

/**
 * Returns `text` as a plain decimal string: unchanged when it already is one, otherwise with a leading or
 * trailing point completed (`.5` → `0.5`, `5.` → `5`) and an exponent expanded (`1.5e-7` → `0.00000015`).
 * Returns null for anything else (negative, NaN, empty, garbage).
 */
export function toDecimalString(text: string): string | null {
  if (PLAIN.test(text)) return text;
  const match = LOOSE.exec(text);
  if (match === null) return null;
  const intPart = match[1] ?? '';
  const fracPart = match[2] ?? '';
  if (intPart.length === 0 && fracPart.length === 0) return null;
  const exponent = match[3] === undefined ? 0 : Number(match[3]);
  if (Math.abs(exponent) > MAX_EXPONENT) return null;
  const digits = intPart + fracPart;
  const point = intPart.length + exponent;
  let whole: string;
  let fraction: string;
  if (point <= 0) {
    whole = '0';
    fraction = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    whole = digits + '0'.repeat(point - digits.length);
    fraction = '';
  } else {
    whole = digits.slice(0, point);
    fraction = digits.slice(point);
  }
  whole = whole.replace(/^0+(?=\d)/, '');
  return fraction.length > 0 ? `${whole}.${fraction}` : whole;
}
