import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeadLagProfile } from '../../../src/core/metrics/lead-lag.js';
import { SeriesWindow } from '../../../src/core/metrics/series-window.js';
import { spearman } from '../../../src/core/metrics/correlation-interval.js';
import { OnlineCorrelation } from '../../../src/core/stats/online-correlation.js';

const value = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -20, max: 20 }).map((v) => v / 10) },
  { weight: 1, arbitrary: fc.constant(Number.NaN) },
);

describe('LeadLagProfile', () => {
  it('pairs the signal at t with the return k rows later (k > 0) or earlier (k < 0), as a naive pairing does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(value, value), { maxLength: 60 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 3, max: 20 }),
        (rows, K, capacity) => {
          const window = new SeriesWindow(2, capacity);
          const profile = new LeadLagProfile(['obi'], K, window, [0], 1);
          for (const [x, r] of rows) {
            window.push([x, r]);
            profile.update([x], r);
          }
          const result = profile.result();
          const lags = result.signals['obi']!;
          expect(lags.map((l) => l.lag)).toEqual(Array.from({ length: 2 * K + 1 }, (_, i) => i - K));
          const recent = rows.slice(-capacity);
          for (const l of lags) {
            const k = l.lag;
            const c = new OnlineCorrelation();
            for (let t = 0; t < rows.length; t++) {
              const s = t - k; // the return at t pairs with the signal k rows before it
              if (s >= 0 && s < rows.length) c.update(rows[s]![0], rows[t]![1]);
            }
            expect(l.n).toBe(c.count);
            if (Number.isNaN(c.correlation)) expect(l.pearson).toBeNaN();
            else expect(l.pearson).toBe(c.correlation);
            const xs: number[] = [];
            const ys: number[] = [];
            for (let i = 0; i < recent.length; i++) {
              if (i + k >= 0 && i + k < recent.length) {
                xs.push(recent[i]![0]);
                ys.push(recent[i + k]![1]);
              }
            }
            const sp = spearman(xs, ys, xs.length);
            expect(l.spearman_n).toBe(sp.n);
            if (Number.isNaN(sp.r)) expect(l.spearman).toBeNaN();
            else expect(l.spearman).toBeCloseTo(sp.r, 12);
          }
          expect(result.spearman_rows).toBe(recent.length);
          expect(result.spearman_whole_run).toBe(rows.length <= capacity);
        },
      ),
    );
  });

  it('finds a planted lead: the return two rows after the signal follows it', () => {
    const window = new SeriesWindow(2, 1000);
    const profile = new LeadLagProfile(['obi'], 3, window, [0], 1);
    const xs = Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * 0.31));
    for (let t = 0; t < xs.length; t++) {
      const r = t >= 2 ? xs[t - 2]! : 0;
      window.push([xs[t]!, r]);
      profile.update([xs[t]!], r);
    }
    const result = profile.result();
    expect(result.peak['obi']!.lag).toBe(2);
    expect(result.peak['obi']!.pearson).toBeCloseTo(1, 2);
    const at2 = result.signals['obi']!.find((l) => l.lag === 2)!;
    expect(at2.spearman).toBeCloseTo(1, 2);
    expect(at2.pearson_ci95[0]).toBeLessThanOrEqual(at2.pearson);
  });
});
