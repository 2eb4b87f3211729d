import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PredictorMetrics } from '../../../src/core/metrics/predictor-metrics.js';

describe('PredictorMetrics', () => {
  it('scores accuracy, AUC, log-loss and Brier against the base rate (by hand)', () => {
    const m = new PredictorMetrics('5s', 'ret_fwd_5s');
    m.update(0.9, 0.01);
    m.update(0.8, -0.01);
    m.update(0.7, 0.02);
    m.update(0.2, -0.03);
    m.update(0.6, 0); // zero move: excluded
    m.update(Number.NaN, 0.01); // no prediction
    m.update(0.6, Number.NaN); // no label
    const r = m.result();
    expect(r.predictions).toBe(6);
    expect(r.evaluated).toBe(4);
    expect(r.zero_moves_excluded).toBe(1);
    expect(r.up_rate).toBe(0.5);
    expect(r.accuracy).toBe(0.75);
    expect(r.accuracy_base_rate).toBe(0.5);
    // Positive/negative pairs: 0.9>0.8, 0.9>0.2, 0.7<0.8, 0.7>0.2.
    expect(r.auc).toBe(0.75);
    expect(r.log_loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.2) + Math.log(0.7) + Math.log(0.8)) / 4, 15);
    expect(r.log_loss_base_rate).toBeCloseTo(Math.log(2), 15);
    expect(r.log_loss_skill).toBeCloseTo(1 - r.log_loss / Math.log(2), 15);
    expect(r.brier).toBeCloseTo(0.195, 15);
    expect(r.brier_base_rate).toBe(0.25);
  });

  it('has the exact Mann–Whitney AUC (ties count 1/2) when scores sit on the bin grid', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.boolean()), { minLength: 2, maxLength: 60 }),
        (draws) => {
          const m = new PredictorMetrics('1s', 'ret_fwd_1s');
          const scored = draws.map(([k, up]) => ({ p: (k + 0.5) / 1000, up }));
          for (const s of scored) m.update(s.p, s.up ? 1 : -1);
          const pos = scored.filter((s) => s.up);
          const neg = scored.filter((s) => !s.up);
          let wins = 0;
          for (const a of pos) for (const b of neg) wins += a.p > b.p ? 1 : a.p === b.p ? 0.5 : 0;
          const want = pos.length > 0 && neg.length > 0 ? wins / (pos.length * neg.length) : Number.NaN;
          const got = m.result().auc;
          if (Number.isNaN(want)) expect(got).toBeNaN();
          else expect(got).toBeCloseTo(want, 12);
        },
      ),
    );
  });
});
