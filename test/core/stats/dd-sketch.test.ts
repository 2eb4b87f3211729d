import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { DDSketch } from '../../../src/core/stats/dd-sketch.js';

/**
 * The bound the sketch promises for numpy's linear quantile: each of the two order statistics it interpolates
 * is within alpha of the truth, so the error is at most alpha times the interpolated magnitudes.
 */
function errorBound(sorted: readonly number[], q: number, alpha: number): { exact: number; bound: number } {
  const n = sorted.length;
  const position = (n - 1) * q;
  const below = Math.min(Math.floor(position), n - 1);
  const above = Math.min(below + 1, n - 1);
  const t = position - below;
  const a = sorted[below] as number;
  const b = sorted[above] as number;
  const exact = t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
  return { exact, bound: alpha * ((1 - t) * Math.abs(a) + t * Math.abs(b)) * (1 + 1e-9) + 1e-300 };
}

describe('DDSketch', () => {
  it('orders negatives, zeros and positives, with exact extremes', () => {
    const sketch = new DDSketch();
    [-2, 0, 0, 3, Number.NaN].forEach((x) => sketch.add(x));
    expect(sketch.count).toBe(4);
    expect(sketch.quantile(0)).toBe(-2);
    expect(sketch.quantile(1 / 3)).toBe(0);
    expect(sketch.quantile(2 / 3)).toBe(0);
    expect(sketch.quantile(1)).toBe(3);
    expect(sketch.quantile(0.5)).toBe(0);
  });

  it('keeps infinities at the ends', () => {
    const sketch = new DDSketch();
    [Number.POSITIVE_INFINITY, 1, Number.NEGATIVE_INFINITY, 2, 3].forEach((x) => sketch.add(x));
    expect(sketch.quantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(sketch.quantile(0.5)).toBeCloseTo(2, 2);
    expect(sketch.quantile(1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('is NaN when empty and starts over after reset', () => {
    const sketch = new DDSketch();
    expect(sketch.quantile(0.5)).toBeNaN();
    expect(sketch.min).toBeNaN();
    sketch.add(5);
    sketch.reset();
    expect(sketch.count).toBe(0);
    sketch.add(-1);
    expect(sketch.quantile(0.5)).toBe(-1);
  });

  it('rejects accuracies outside (0, 1) and bucket limits below 1', () => {
    expect(() => new DDSketch({ relativeAccuracy: 0 })).toThrow(ConfigError);
    expect(() => new DDSketch({ relativeAccuracy: 1 })).toThrow(ConfigError);
    expect(() => new DDSketch({ maxBucketsPerSign: 0 })).toThrow(ConfigError);
  });

  it('answers every quantile within its relative accuracy', () => {
    // Magnitudes within 1e24 of each other: inside what the default bucket limit keeps uncollapsed.
    const magnitude = fc
      .tuple(fc.double({ min: -12, max: 12, noNaN: true }), fc.boolean())
      .map(([exponent, negative]) => (negative ? -1 : 1) * 10 ** exponent);
    const value = fc.oneof(
      { weight: 6, arbitrary: magnitude },
      { weight: 2, arbitrary: fc.integer({ min: -5, max: 5 }).map((i) => i / 4) },
      { weight: 1, arbitrary: fc.constant(0) },
    );
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 400 }),
        fc.constantFrom(0.01, 0.001),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }),
        (xs, alpha, qs) => {
          const sketch = new DDSketch({ relativeAccuracy: alpha });
          xs.forEach((x) => sketch.add(x));
          const sorted = [...xs].sort((a, b) => a - b);
          for (const q of qs) {
            const { exact, bound } = errorBound(sorted, q, alpha);
            expect(Math.abs(sketch.quantile(q) - exact)).toBeLessThanOrEqual(bound);
          }
        },
      ),
    );
  });

  it('keeps its memory bounded whatever the range, collapsing only the magnitudes nearest zero', () => {
    // 1024 buckets at 1% accuracy span a ratio of e^(1024 * 0.02), about 9 decades.
    const maxBucketsPerSign = 1024;
    const sketch = new DDSketch({ relativeAccuracy: 0.01, maxBucketsPerSign });
    const xs: number[] = [];
    // Magnitudes from 1e-300 to 1e300 in both signs: ~35000 buckets' worth per sign.
    for (let i = 0; i < 20_000; i++) {
      const x = (i % 2 === 0 ? 1 : -1) * 10 ** (((i * 7919) % 600) - 300) * (1 + (i % 13) / 13);
      sketch.add(x);
      xs.push(x);
      expect(sketch.bucketCapacity).toBeLessThanOrEqual(4 * maxBucketsPerSign);
    }
    const sorted = xs.sort((a, b) => a - b);
    expect(sketch.quantile(0)).toBe(sorted[0]);
    expect(sketch.quantile(1)).toBe(sorted[sorted.length - 1]);
    // The largest magnitudes (the top 8 decades: about 0.7% of each tail) are never collapsed.
    for (const q of [0.0001, 0.001, 0.005, 0.995, 0.999, 0.9999]) {
      const { exact, bound } = errorBound(sorted, q, 0.01);
      expect(Math.abs(sketch.quantile(q) - exact)).toBeLessThanOrEqual(bound);
    }
  });

  it('uses a few kilobytes for order-book imbalances in [-1, 1]', () => {
    const sketch = new DDSketch();
    for (let i = 0; i < 100_000; i++) sketch.add(Math.tanh(Math.sin(i * 0.37) * 3));
    // Down to |x| ~ 1e-5 at 0.1% accuracy is ~5800 buckets per sign: bounded by the data's range, not its length.
    expect(sketch.bucketCapacity).toBeLessThan(4 * 8192);
  });
});
