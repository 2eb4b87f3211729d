import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import {
  assertWeightBudget,
  checkWeightBudget,
  nextWeightWindowMs,
  pacingDelayMs,
} from '../../../src/exchanges/binance/weight-budget.js';

describe('checkWeightBudget', () => {
  it('refuses 3 symbols × weight 25 every 100 ms and says what fits', () => {
    const v = checkWeightBudget({ exchange: 'binance', symbolCount: 3, depthLimit: 500, intervalMs: 100 });
    expect(v.fits).toBe(false);
    expect(v.weightPerMinute).toBe(45_000);
    expect(v.budgetPerMinute).toBe(4800);
    expect(v.fastestIntervalMs).toBe(940); // 3·25·60000/4800 = 937.5, rounded up to 10 ms
    expect(v.cheaper).toEqual({ depthLimit: 100, weight: 5, fastestIntervalMs: 190 });
    expect(v.message).toBe(
      '3 symbols × weight 25 every 100 ms = 45000/min > 4800/min (80% of 6000); the fastest interval that fits ' +
        'is 940 ms, or lower --depth-limit to 100 (weight 5) and poll every 190 ms or slower',
    );
  });

  it('suggests the deepest cheaper limit that fits at the requested interval', () => {
    // weight 250 → 1·250·60 = 15000/min at 1 s; 1000 (weight 50) gives 3000/min and fits.
    const v = checkWeightBudget({ exchange: 'binance', symbolCount: 1, depthLimit: 5000, intervalMs: 1000 });
    expect(v.fits).toBe(false);
    expect(v.cheaper).toEqual({ depthLimit: 1000, weight: 50, fastestIntervalMs: 630 });
    expect(v.message).toMatch(/or lower --depth-limit to 1000 \(weight 50\)$/);
    expect(v.fastestIntervalMs).toBe(3130); // 250·60000/4800 = 3125
  });

  it('accepts a configuration exactly at the budget', () => {
    // 4 symbols × 5 × 240/min = 4800
    const v = checkWeightBudget({ exchange: 'binance', symbolCount: 4, depthLimit: 100, intervalMs: 250 });
    expect(v.fits).toBe(true);
    expect(v.message).toBe('4 symbols × weight 5 every 250 ms = 4800/min ≤ 4800/min (80% of 6000)');
    expect(
      checkWeightBudget({ exchange: 'binance', symbolCount: 4, depthLimit: 100, intervalMs: 249 }).fits,
    ).toBe(false);
  });

  it('uses the venue limit and an explicit limit or fraction', () => {
    const us = checkWeightBudget({ exchange: 'binance-us', symbolCount: 1, depthLimit: 100, intervalMs: 50 });
    expect([us.weightLimitPerMinute, us.budgetPerMinute, us.weightPerMinute, us.fits]).toEqual([
      1200,
      960,
      1200,
      false,
    ]);
    const fut = checkWeightBudget({
      exchange: 'binance',
      market: 'futures',
      symbolCount: 2,
      depthLimit: 1000,
      intervalMs: 1000,
      weightLimitPerMinute: 1000,
      safetyFraction: 0.5,
    });
    expect([fut.weightPerMinute, fut.budgetPerMinute, fut.fits, fut.fastestIntervalMs]).toEqual([
      2400,
      500,
      false,
      4800,
    ]);
  });

  it('has no cheaper suggestion at the cheapest band', () => {
    const v = checkWeightBudget({ exchange: 'binance', symbolCount: 100, depthLimit: 20, intervalMs: 100 });
    expect(v.cheaper).toBeNull();
    expect(v.message).toMatch(/the fastest interval that fits is 6250 ms$/);
  });

  it('the fastest interval always fits, and 10 ms less does not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 5000 }), (symbols, limit) => {
        const base = { exchange: 'binance' as const, symbolCount: symbols, depthLimit: limit };
        const fastest = checkWeightBudget({ ...base, intervalMs: 1000 }).fastestIntervalMs;
        const fitsAtFastest = checkWeightBudget({ ...base, intervalMs: fastest }).fits;
        const fitsFaster = fastest > 10 && checkWeightBudget({ ...base, intervalMs: fastest - 10 }).fits;
        return fitsAtFastest && !fitsFaster;
      }),
    );
  });

  it('assertWeightBudget throws a ConfigError carrying the message', () => {
    expect(() =>
      assertWeightBudget({ exchange: 'binance', symbolCount: 3, depthLimit: 500, intervalMs: 100 }),
    ).toThrow(ConfigError);
    expect(() =>
      assertWeightBudget({ exchange: 'binance', symbolCount: 3, depthLimit: 500, intervalMs: 100 }),
    ).toThrow(/fastest interval that fits is 940 ms/);
    expect(
      assertWeightBudget({ exchange: 'binance', symbolCount: 1, depthLimit: 100, intervalMs: 1000 }).fits,
    ).toBe(true);
  });

  it('refuses nonsense inputs', () => {
    expect(() =>
      checkWeightBudget({ exchange: 'binance', symbolCount: 0, depthLimit: 5, intervalMs: 1 }),
    ).toThrow(ConfigError);
    expect(() =>
      checkWeightBudget({ exchange: 'binance', symbolCount: 1, depthLimit: 5, intervalMs: 0 }),
    ).toThrow(ConfigError);
  });
});

describe('pacingDelayMs (X-MBX-USED-WEIGHT-1M)', () => {
  const minute = 60_000;
  const t = 1_700_000_000_000 - (1_700_000_000_000 % minute); // a window start

  it('lets a request go while used + in flight + next stays within 90% of the limit', () => {
    const base = { inFlightWeight: 10, requestWeight: 5, weightLimitPerMinute: 6000, nowMs: t + 30_000 };
    expect(pacingDelayMs({ ...base, observed: null })).toBe(0);
    expect(pacingDelayMs({ ...base, observed: { usedWeight: 5385, observedAtMs: t + 29_000 } })).toBe(0); // 5400
  });

  it('waits until the minute rolls over when the IP is near its limit', () => {
    const base = { inFlightWeight: 10, requestWeight: 5, weightLimitPerMinute: 6000, nowMs: t + 30_000 };
    expect(pacingDelayMs({ ...base, observed: { usedWeight: 5386, observedAtMs: t + 29_000 } })).toBe(30_000);
    expect(
      pacingDelayMs({ ...base, observed: { usedWeight: 5386, observedAtMs: t + 29_000 }, fraction: 1 }),
    ).toBe(0);
  });

  it('ignores a header from an earlier window (the count reset since)', () => {
    const delay = pacingDelayMs({
      observed: { usedWeight: 5999, observedAtMs: t - 1 },
      inFlightWeight: 0,
      requestWeight: 250,
      weightLimitPerMinute: 6000,
      nowMs: t + 5,
    });
    expect(delay).toBe(0);
  });

  it('nextWeightWindowMs is the next whole minute', () => {
    expect(nextWeightWindowMs(t)).toBe(t + minute);
    expect(nextWeightWindowMs(t + 59_999.5)).toBe(t + minute);
  });
});
