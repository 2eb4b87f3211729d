import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fisherInterval,
  RankedSeries,
  shiftedSpearman,
  spearman,
} from '../../../src/core/metrics/correlation-interval.js';

/** O(n²) average ranks straight from the definition. */
function naiveRanks(v: readonly number[]): number[] {
  return v.map((x) => 1 + v.filter((y) => y < x).length + (v.filter((y) => y === x).length - 1) / 2);
}

function naivePearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('spearman', () => {
  it('gives ties their average rank (by hand)', () => {
    // Ranks of y = 5,6,7,8,7 are 1,2,3.5,5,3.5: r = 8 / √(10 · 9.5).
    const r = spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7], 5);
    expect(r.n).toBe(5);
    expect(r.r).toBeCloseTo(8 / Math.sqrt(95), 15);
  });

  it('skips pairs with a NaN and is NaN for a constant side or fewer than 2 pairs', () => {
    const skipped = spearman([1, Number.NaN, 2, 3], [1, 5, Number.NaN, 2], 4);
    expect(skipped.n).toBe(2);
    expect(skipped.r).toBeCloseTo(1, 15);
    expect(spearman([1, 1, 1], [1, 2, 3], 3).r).toBeNaN();
    expect(spearman([1], [1], 1).r).toBeNaN();
  });

  it('equals the Pearson correlation of naive average ranks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 })), {
          minLength: 3,
          maxLength: 40,
        }),
        (pairs) => {
          const x = pairs.map((p) => p[0]);
          const y = pairs.map((p) => p[1]);
          const got = spearman(x, y, x.length).r;
          const want = naivePearson(naiveRanks(x), naiveRanks(y));
          if (Number.isNaN(want)) expect(got).toBeNaN();
          else expect(got).toBeCloseTo(want, 12);
        },
      ),
    );
  });
});

describe('fisherInterval', () => {
  it('is tanh(atanh r ± 1.96 se), se = 1/√(n−3), or √(1.06/(n−3)) for Spearman', () => {
    const [lo, hi] = fisherInterval(0.5, 28, 'pearson');
    expect(lo).toBeCloseTo(0.15602836252908595, 14);
    expect(hi).toBeCloseTo(0.7358184794439376, 14);
    const [slo, shi] = fisherInterval(0.5, 28, 'spearman');
    expect(slo).toBeCloseTo(0.14470202144464853, 14);
    expect(shi).toBeCloseTo(0.7410874615592804, 14);
    expect(fisherInterval(0.5, 3, 'pearson')).toEqual([Number.NaN, Number.NaN]);
    expect(fisherInterval(1, 10, 'pearson')).toEqual([1, 1]);
  });
});

describe('ranking stays finite when a ranked value turns NaN', () => {
  it('returns instead of looping forever (regression: a NaN group never advanced)', () => {
    const values = Float64Array.from([3, 1, 2, 5, 4]);
    const x = new RankedSeries(values);
    const y = new RankedSeries(Float64Array.from([1, 2, 3, 4, 5]));
    values[2] = Number.NaN; // the buffer behind a series is shared with its writer
    const { n } = shiftedSpearman(x, y, 0);
    expect(n).toBeLessThanOrEqual(5);
  });
});
