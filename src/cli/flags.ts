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

/** Returns a parser of whole numbers from `min` to `max` (a bound keeps a typo from allocating gigabytes). */
export function parseIntInRange(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

/** The shortest sampling interval: 1 ms (rolling windows hold 60 s of rows, 60 000 at 1 ms). */
export const MIN_INTERVAL_SEC = 0.001;

/** Parses a sampling interval in seconds, at least MIN_INTERVAL_SEC. */
export function parseIntervalSec(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < MIN_INTERVAL_SEC) {
    throw new InvalidArgumentError(`expected a number of seconds >= ${MIN_INTERVAL_SEC}, got "${value}"`);
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

/**
 * A file or directory path: not empty, and without a NUL character, which no file system allows in a name
 * (Node throws a TypeError at the open, after the run has started, instead of a usage error now).
 */
export function parsePath(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected a path, got an empty string');
  if (value.includes('\u0000')) {
    throw new InvalidArgumentError(`expected a path without a NUL character, got ${JSON.stringify(value)}`);
  }
  return value;
}
