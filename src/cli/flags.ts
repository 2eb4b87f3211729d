/** Strict parsers for flag values: a wrong value names the flag and what it expects. */
import { InvalidArgumentError } from 'commander';

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  }
  return n;
}

export function parseNonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`);
  }
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}"`);
  }
  return n;
}

/** A TCP port: a whole number from 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n > 65535) {
    throw new InvalidArgumentError(`expected a port from 0 (any free one) to 65535, got "${value}"`);
  }
  return n;
}

export function parseIntList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new InvalidArgumentError(`expected a comma-separated list of whole numbers, got "${value}"`);
  }
  return parts.map(parsePositiveInt);
}

/** `BTCUSDT,ethusdt` → ['BTCUSDT', 'ETHUSDT']; symbols are upper-case on Binance. */
export function parseSymbolList(value: string): string[] {
  const parts = value.split(',').map((s) => s.trim().toUpperCase());
  if (parts.length === 0 || parts.some((p) => !/^[A-Z0-9_-]{2,40}$/.test(p))) {
    throw new InvalidArgumentError(`expected symbols like BTCUSDT or BTCUSDT,ETHUSDT, got "${value}"`);
  }
  return [...new Set(parts)];
}
