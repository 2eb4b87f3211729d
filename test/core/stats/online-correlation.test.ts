import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { OnlineCorrelation } from '../../../src/core/stats/online-correlation.js';

const NA = Number.NaN;

function feed(
  pairs: readonly (readonly [number, number])[],
  corr = new OnlineCorrelation(),
): OnlineCorrelation {
  for (const [x, y] of pairs) corr.update(x, y);
  return corr;
}

describe('OnlineCorrelation', () => {
  it('computes means, covariance and correlation by hand', () => {
    // x = 1..4, y = 1,3,2,4: means 2.5, cov = (2.25 - 0.25 - 0.25 + 2.25) / 3 = 4/3, var = 5/3 each, r = 0.8.
    const corr = feed([
      [1, 1],
      [2, 3],
      [3, 2],
      [4, 4],
    ]);
    expect(corr.n).toBe(4);
    expect(corr.meanX).toBe(2.5);
    expect(corr.meanY).toBe(2.5);
    expect(corr.covariance).toBeCloseTo(4 / 3, 15);
    expect(corr.varianceX).toBeCloseTo(5 / 3, 15);
    expect(corr.correlation).toBeCloseTo(0.8, 15);
    expect(corr.value).toBe(corr.correlation);
  });

  it('is exactly 1 or -1 on a line', () => {
    expect(feed([1, 2, 3, 4, 5].map((x) => [x, 2 * x + 1] as const)).correlation).toBeCloseTo(1, 15);
    expect(feed([1, 2, 3, 4, 5].map((x) => [x, -0.5 * x] as const)).correlation).toBeCloseTo(-1, 15);
  });

  it('drops pairs where either side is NaN (pairwise-complete, like pandas)', () => {
    const corr = feed([
      [1, 2],
      [NA, 100],
      [2, NA],
      [2, 4],
      [3, 6],
    ]);
    expect(corr.count).toBe(3);
    expect(corr.correlation).toBeCloseTo(1, 15);
  });

  it('is NaN with fewer than 2 pairs, a constant side, or below minPeriods', () => {
    expect(feed([[1, 2]]).correlation).toBeNaN();
    expect(feed([[1, 2]]).covariance).toBeNaN();
    const constant = feed([0.1, 0.1, 0.1].map((x, i) => [x, i] as const));
    expect(constant.correlation).toBeNaN();
    expect(constant.ready).toBe(true);
    const strict = feed(
      [
        [1, 1],
        [2, 2],
      ],
      new OnlineCorrelation({ minPeriods: 3 }),
    );
    expect(strict.correlation).toBeNaN();
    expect(strict.ready).toBe(false);
    expect(strict.update(3, 3)).toBeCloseTo(1, 15);
    expect(() => new OnlineCorrelation({ minPeriods: -1 })).toThrow(ConfigError);
  });

  it('keeps its precision on a large level with a tiny spread', () => {
    // Prices around 30000 moving by 1e-6: a sum-of-products formula loses every digit, and Welford without
    // the shift by the first pair still loses half of them (an error near 2e-8 here).
    const sines = Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    const corr = feed(sines.map((s) => [30_000 + 1e-6 * s, s] as const));
    expect(corr.correlation).toBeCloseTo(1, 10);
    expect(corr.meanX).toBeCloseTo(30_000 + (1e-6 * sines.reduce((a, b) => a + b, 0)) / 1000, 9);
  });

  it('starts over after reset', () => {
    const corr = feed([
      [1, 5],
      [2, 3],
    ]);
    corr.reset();
    expect(corr.count).toBe(0);
    expect(corr.meanX).toBeNaN();
    expect(
      feed(
        [
          [1, 1],
          [2, 2],
          [3, 3.5],
        ],
        corr,
      ).correlation,
    ).toBeGreaterThan(0.99);
  });

  it('equals a naive two-pass Pearson correlation of the complete pairs', () => {
    const value = fc.oneof(
      { weight: 8, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) },
      { weight: 1, arbitrary: fc.constant(NA) },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { maxLength: 200 }), (pairs) => {
        const corr = feed(pairs);
        const complete = pairs.filter(([x, y]) => !Number.isNaN(x) && !Number.isNaN(y));
        const n = complete.length;
        expect(corr.count).toBe(n);
        if (n < 2) {
          expect(corr.correlation).toBeNaN();
          return;
        }
        const mx = complete.reduce((s, [x]) => s + x, 0) / n;
        const my = complete.reduce((s, [, y]) => s + y, 0) / n;
        let sxy = 0;
        let sxx = 0;
        let syy = 0;
        for (const [x, y] of complete) {
          sxy += (x - mx) * (y - my);
          sxx += (x - mx) ** 2;
          syy += (y - my) ** 2;
        }
        expect(Math.abs(corr.meanX - mx)).toBeLessThanOrEqual(1e-9 * 1e3);
        expect(Math.abs(corr.covariance - sxy / (n - 1))).toBeLessThanOrEqual(1e-9 * 1e6);
        // Away from (near-)constant sides, where the correlation is ill-conditioned.
        if (sxx > 1e-6 * n && syy > 1e-6 * n) {
          expect(Math.abs(corr.correlation - sxy / Math.sqrt(sxx * syy))).toBeLessThanOrEqual(1e-9);
        }
      }),
    );
  });
});
