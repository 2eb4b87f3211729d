import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF_BASE_MS, MAX_BACKOFF_MS } from '../../src/net/backoff.js';

describe('backoffDelayMs (full jitter)', () => {
  it('scales the doubling window by the injected random draw', () => {
    const half = (): number => 0.5;
    const delays = [0, 1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(attempt, half));
    // windows 100, 200, 400, 800, 1600, 2000 (capped)
    expect(delays).toEqual([50, 100, 200, 400, 800, 1000]);
  });

  it('uses the policy base and cap', () => {
    const almostOne = (): number => 0.999;
    expect(backoffDelayMs(0, almostOne, { baseMs: 10, maxMs: 15 })).toBeCloseTo(9.99, 10);
    expect(backoffDelayMs(1, almostOne, { baseMs: 10, maxMs: 15 })).toBeCloseTo(14.985, 10);
    expect(backoffDelayMs(60, () => 0.25, { baseMs: 10, maxMs: 15 })).toBe(3.75);
  });

  it('gives 0 for a zero draw and never exceeds the cap, even for huge attempts', () => {
    expect(backoffDelayMs(3, () => 0)).toBe(0);
    expect(backoffDelayMs(5000, () => 0.5)).toBe(MAX_BACKOFF_MS / 2);
  });

  it('stays within [0, min(cap, base·2^attempt)] for any draw', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const d = backoffDelayMs(attempt, () => r);
        const window = Math.min(MAX_BACKOFF_MS, DEFAULT_BACKOFF_BASE_MS * 2 ** attempt);
        return d >= 0 && d <= window && Math.abs(d - r * window) < 1e-9;
      }),
    );
  });
});
