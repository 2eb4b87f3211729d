import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { bulkBuyFraction, Vpin } from '../../../src/core/features/vpin.js';

describe('bulkBuyFraction', () => {
  it('is Φ(ΔP / σ) to 1e-7, with the σ → 0 limits', () => {
    // Φ(1) = 0.8413447460685429, Φ(−1.959963984540054) = 0.025, Φ(−1/√2) = 0.23975006109347669.
    expect(bulkBuyFraction(1, 1)).toBeCloseTo(0.8413447460685429, 7);
    expect(bulkBuyFraction(0, 1)).toBeCloseTo(0.5, 7);
    expect(bulkBuyFraction(-1.959963984540054, 1)).toBeCloseTo(0.025, 7);
    expect(bulkBuyFraction(-1, Math.SQRT2)).toBeCloseTo(0.23975006109347669, 7);
    expect(bulkBuyFraction(3, 0)).toBe(1);
    expect(bulkBuyFraction(-3, Number.NaN)).toBe(0);
    expect(bulkBuyFraction(0, 0)).toBe(0.5);
    expect(bulkBuyFraction(Number.NaN, 1)).toBe(0.5);
  });
});

describe('Vpin', () => {
  it('classifies bars in bulk, fills equal-volume buckets and averages the last n (by hand)', () => {
    const vpin = new Vpin({ barSec: 1, bucketVolume: 10, buckets: 2 });
    vpin.add(100, 100, 4);
    vpin.add(900, 100, 6); // bar 0: 10 at 100, no previous price: half buys
    vpin.add(1500, 101, 10); // bar 1: +1; one change so far, σ unknown: all buys
    expect(vpin.completedBuckets).toBe(1);
    expect(vpin.value).toBeNaN();
    vpin.advance(2000);
    // Buckets |S − B|: 0 and 10 → VPIN = 10 / (2 · 10).
    expect(vpin.completedBuckets).toBe(2);
    expect(vpin.value).toBeCloseTo(0.5, 12);
    vpin.add(2500, 100, 20); // bar 2: −1, σ of {+1, −1} = √2: buys Φ(−1/√2) of 20, over two buckets
    vpin.advance(2999);
    expect(vpin.completedBuckets).toBe(2);
    vpin.advance(3000);
    const f = bulkBuyFraction(-1, Math.SQRT2);
    expect(vpin.completedBuckets).toBe(4);
    expect(vpin.value).toBeCloseTo((2 * 10 * (1 - 2 * f)) / 20, 12);
  });

  it('calibrates the bucket volume from the first 50 non-empty bars (10 bars each)', () => {
    const vpin = new Vpin({ barSec: 1, buckets: 5 });
    for (let i = 0; i < 50; i++) vpin.add(i * 1000, 100 + (i % 2), 1);
    expect(vpin.bucketVolume).toBeNaN();
    vpin.advance(50_000);
    expect(vpin.bucketVolume).toBe(10);
    expect(vpin.completedBuckets).toBe(5);
    expect(vpin.value).toBeGreaterThanOrEqual(0);
  });

  it('stays in [0, 1] and never loses volume across buckets', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 2500 }),
            price: fc.integer({ min: 95, max: 105 }),
            qty: fc.double({ min: 0.01, max: 50, noNaN: true }),
          }),
          { maxLength: 150 },
        ),
        (trades) => {
          const vpin = new Vpin({ barSec: 1, bucketVolume: 7, buckets: 3 });
          let t = 0;
          let total = 0;
          for (const d of trades) {
            t += d.dt;
            vpin.add(t, d.price, d.qty);
            total += d.qty;
            const v = vpin.value;
            if (!Number.isNaN(v)) {
              expect(v).toBeGreaterThanOrEqual(0);
              expect(v).toBeLessThanOrEqual(1 + 1e-12);
            }
          }
          vpin.advance(t + 10_000);
          expect(vpin.completedBuckets).toBe(Math.floor(total / 7 + 1e-9));
        },
      ),
    );
  });

  it('rejects bad options', () => {
    expect(() => new Vpin({ barSec: 0 })).toThrow(ConfigError);
    expect(() => new Vpin({ buckets: 0 })).toThrow(ConfigError);
    expect(() => new Vpin({ bucketVolume: -1 })).toThrow(ConfigError);
  });
});

describe('Vpin with a bucket that can never fill', () => {
  it('skips volume instead of looping when calibration saw only zero-quantity trades', () => {
    const v = new Vpin({ barSec: 1, buckets: 2 });
    for (let s = 0; s < 200; s++) v.add(s * 1000, 100 + (s % 3), 0);
    for (let s = 200; s < 260; s++) v.add(s * 1000, 100 + (s % 3), 5);
    v.advance(300_000);
    expect(Number.isNaN(v.value) || Number.isFinite(v.value)).toBe(true);
  });
});
