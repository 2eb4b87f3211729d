import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fisherInterval, LeadLagAccumulator } from '../../src/report/lead-lag-profile.js';
import { OnlineCorrelation } from '../../src/core/stats/online-correlation.js';

/** Naive corr(x_t, r_{t+k}) over all t where both exist. */
function naive(x: number[], r: number[], k: number): { r: number; n: number } {
  const c = new OnlineCorrelation();
  for (let t = 0; t < x.length; t++) {
    const j = t + k;
    if (j >= 0 && j < r.length) c.update(x[t]!, r[j]!);
  }
  return { r: c.correlation, n: c.count };
}

describe('fisherInterval', () => {
  it('matches the textbook example r = 0.5, n = 28', () => {
    // z = atanh(0.5) = 0.549306, se = 1/5: [tanh(0.157313), tanh(0.941299)]
    const [lo, hi] = fisherInterval(0.5, 28)!;
    expect(lo).toBeCloseTo(0.156, 3);
    expect(hi).toBeCloseTo(0.73582, 5);
  });

  it('has no interval for n ≤ 3 or an undefined r', () => {
    expect(fisherInterval(0.2, 3)).toBeNull();
    expect(fisherInterval(Number.NaN, 100)).toBeNull();
  });
});

describe('LeadLagAccumulator', () => {
  it('equals the naive correlation at every lag, NaNs skipped (property)', () => {
    const value = fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constant(Number.NaN));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(value, value), { minLength: 2, maxLength: 120 }),
        fc.integer({ min: 0, max: 6 }),
        (pairs, K) => {
          const x = pairs.map((p) => p[0]);
          const r = pairs.map((p) => p[1]);
          const acc = new LeadLagAccumulator(['obi'], K);
          for (let t = 0; t < x.length; t++) acc.add([x[t]!], r[t]!);
          const [series] = acc.result().series;
          expect(series!.lags).toEqual(Array.from({ length: 2 * K + 1 }, (_, i) => i - K));
          series!.lags.forEach((k, i) => {
            const want = naive(x, r, k);
            expect(series!.n[i]).toBe(want.n);
            if (Number.isNaN(want.r)) expect(series!.r[i]).toBeNull();
            else expect(series!.r[i]).toBeCloseTo(want.r, 10);
          });
        },
      ),
    );
  });

  it('finds a signal that leads returns by two samples', () => {
    const acc = new LeadLagAccumulator(['obi'], 3);
    const x = Array.from({ length: 400 }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * 0.37));
    for (let t = 0; t < x.length; t++) acc.add([x[t]!], t >= 2 ? x[t - 2]! : Number.NaN);
    const s = acc.result().series[0]!;
    expect(s.r[s.lags.indexOf(2)]).toBeCloseTo(1, 12);
    expect(Math.abs(s.r[s.lags.indexOf(-2)]!)).toBeLessThan(0.5);
  });
});
