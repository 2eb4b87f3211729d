import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { RunQuantiles, SUMMARY_QUANTILES } from '../../../src/core/stats/run-quantiles.js';

/** numpy's default linear quantile of a sorted array, as pandas Series.quantile calls it (q -> q*100 -> /100). */
function naiveQuantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * ((q * 100) / 100);
  if (position >= n - 1) return sorted[n - 1] as number;
  const below = Math.floor(position);
  const a = sorted[below] as number;
  const b = sorted[below + 1] as number;
  const t = position - below;
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

const ascending = (xs: readonly number[]): number[] =>
  xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);

describe('RunQuantiles', () => {
  it('matches pandas Series.quantile by hand', () => {
    // pandas: Series([1, 2, 3, 4]).quantile(0.9) -> 3.7, .quantile(0.5) -> 2.5;
    //         Series([3, 1, nan, 2, 5, 0.1]).quantile(0.3) -> 1.2
    const run = new RunQuantiles();
    [1, 2, 3, 4].forEach((x) => run.update(x));
    expect(run.quantile(0.9)).toBe(3.7);
    expect(run.quantile(0.5)).toBe(2.5);
    const withNaN = new RunQuantiles();
    [3, 1, Number.NaN, 2, 5, 0.1].forEach((x) => withNaN.update(x));
    expect(withNaN.quantile(0.3)).toBe(1.2);
    expect(withNaN.count).toBe(5);
    expect(withNaN.missing).toBe(1);
    expect(withNaN.mean).toBeCloseTo(2.22, 15);
    expect([withNaN.min, withNaN.max]).toEqual([0.1, 5]);
  });

  it('summarises p01..p99 and is NaN when empty', () => {
    const run = new RunQuantiles();
    expect(run.quantile(0.5)).toBeNaN();
    expect(run.mean).toBeNaN();
    for (let i = 0; i <= 100; i++) run.update(i);
    const summary = run.summary();
    expect(Object.keys(summary)).toEqual(Object.keys(SUMMARY_QUANTILES));
    expect(summary).toEqual({
      p01: 1,
      p05: 5,
      p10: 10,
      p25: 25,
      p50: 50,
      p75: 75,
      p90: 90,
      p95: 95,
      p99: 99,
    });
    expect(run.exact).toBe(true);
  });

  it('rejects q outside [0, 1] and bad options with ConfigError', () => {
    const run = new RunQuantiles();
    expect(() => run.quantile(-0.01)).toThrow(ConfigError);
    expect(() => run.quantile(Number.NaN)).toThrow(ConfigError);
    expect(() => new RunQuantiles({ exactCapacity: -1 })).toThrow(ConfigError);
    expect(() => new RunQuantiles({ relativeAccuracy: 0 })).toThrow(ConfigError);
  });

  it('stays exact under any interleaving of updates and queries (lazy sort and merge)', () => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.double({ noNaN: true }) },
      { weight: 3, arbitrary: fc.integer({ min: -3, max: 3 }).map((i) => i / 4) },
      { weight: 1, arbitrary: fc.constant(Number.NaN) },
    );
    const step = fc.oneof(
      fc.record({ add: fc.array(value, { maxLength: 50 }) }),
      fc.record({
        q: fc.oneof(
          fc.constantFrom(...Object.values(SUMMARY_QUANTILES), 0, 1),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const run = new RunQuantiles();
        const seen: number[] = [];
        for (const s of steps) {
          if ('add' in s) {
            s.add.forEach((x) => run.update(x));
            seen.push(...s.add);
          } else {
            // + 0 folds -0 into 0: sort order among equal zeros is not part of the contract.
            expect(run.quantile(s.q) + 0).toBe(naiveQuantile(ascending(seen), s.q) + 0);
          }
        }
        expect(run.exact).toBe(true);
      }),
    );
  });

  it('switches to the sketch past exactCapacity, keeping count, mean and min/max exact', () => {
    const run = new RunQuantiles({ exactCapacity: 1000 });
    const xs = Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    xs.slice(0, 1000).forEach((x) => run.update(x));
    expect(run.exact).toBe(true);
    xs.slice(1000).forEach((x) => run.update(x));
    expect(run.exact).toBe(false);
    expect(run.count).toBe(5000);
    const sorted = ascending(xs);
    expect(run.quantile(0)).toBe(sorted[0]);
    expect(run.quantile(1)).toBe(sorted[4999]);
    expect(run.mean).toBeCloseTo(xs.reduce((s, x) => s + x, 0) / 5000, 12);
    for (const q of Object.values(SUMMARY_QUANTILES)) {
      const exact = naiveQuantile(sorted, q);
      expect(Math.abs(run.quantile(q) - exact)).toBeLessThanOrEqual(0.001 * Math.abs(exact) * (1 + 1e-9));
    }
    run.reset();
    expect(run.exact).toBe(true);
    expect(run.count).toBe(0);
  });
});
