/**
 * Exact fixed-point decimals for the simulator: prices and quantities live as integers of 1e-8 units
 * (Binance spot's 8-decimal grid) and are written as the decimal strings Binance sends, never via floats.
 */
import { ConfigError } from '../../errors.js';

/** Binance spot formats every price and quantity with 8 decimals ("61837.63000000"). */
export const UNIT_DECIMALS = 8;
const UNITS_PER_ONE = 10 ** UNIT_DECIMALS;

/** Returns the number of 1e-8 units in a non-negative decimal string such as "0.01" or "61837.63". */
export function parseUnits(decimal: string, what: string): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (m === null) throw new ConfigError(`${what}: "${decimal}" is not a plain decimal`, what);
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  if (frac.replace(/0+$/, '').length > UNIT_DECIMALS) {
    throw new ConfigError(`${what}: "${decimal}" has more than ${UNIT_DECIMALS} decimals`, what);
  }
  const units =
    Number(whole) * UNITS_PER_ONE + Number(frac.padEnd(UNIT_DECIMALS, '0').slice(0, UNIT_DECIMALS));
  if (!Number.isSafeInteger(units)) throw new ConfigError(`${what}: "${decimal}" is too large`, what);
  return units;
}

/** Returns how many decimals a decimal string is written with ("0.10" → 2, "1" → 0). */
export function decimalsOf(decimal: string): number {
  const dot = decimal.indexOf('.');
  return dot < 0 ? 0 : decimal.length - dot - 1;
}

/** Returns `units` (1e-8 each) as a decimal string with exactly `decimals` (0..8) decimals. */
export function formatUnits(units: number, decimals: number): string {
  const whole = Math.floor(units / UNITS_PER_ONE);
  const frac = units - whole * UNITS_PER_ONE;
  if (decimals === 0) return String(whole);
  const digits = String(frac).padStart(UNIT_DECIMALS, '0').slice(0, decimals);
  return `${whole}.${digits}`;
}
