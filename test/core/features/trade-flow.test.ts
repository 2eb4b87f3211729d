import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { TradeFlowImbalance } from '../../../src/core/features/trade-flow.js';
import { OutOfOrderTimeError } from '../../../src/core/stats/out-of-order-time-error.js';

describe('TradeFlowImbalance', () => {
  it('is net aggressive volume over total volume in (t − W, t] (by hand)', () => {
    const tfi = new TradeFlowImbalance(10);
    tfi.add(0, 1, false); // aggressive buy
    tfi.add(1000, 3, true); // buyer is maker: aggressive sell
    tfi.add(5000, 2, false);
    expect(tfi.valueAt(5000)).toBe(0);
    expect(tfi.volume).toBe(6);
    // At 10 s the trade at 0 s leaves (the window is open on the left).
    expect(tfi.valueAt(10_000)).toBeCloseTo(-0.2, 15);
    expect(tfi.valueAt(11_000)).toBe(1);
    expect(tfi.valueAt(20_000)).toBeNaN();
    expect(tfi.count).toBe(0);
  });

  it('equals a naive recomputation over the window and stays in [−1, 1]', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 3000 }),
            qty: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
            m: fc.boolean(),
            query: fc.boolean(),
          }),
          { maxLength: 200 },
        ),
        (trades) => {
          const tfi = new TradeFlowImbalance(5);
          const seen: { t: number; s: number; v: number }[] = [];
          let t = 0;
          for (const d of trades) {
            t += d.dt;
            tfi.add(t, d.qty, d.m);
            seen.push({ t, s: d.m ? -d.qty : d.qty, v: d.qty });
            if (!d.query) continue;
            const inWindow = seen.filter((x) => x.t > t - 5000);
            const s = inWindow.reduce((a, x) => a + x.s, 0);
            const v = inWindow.reduce((a, x) => a + x.v, 0);
            const got = tfi.valueAt(t);
            expect(got).toBeGreaterThanOrEqual(-1);
            expect(got).toBeLessThanOrEqual(1);
            expect(got).toBeCloseTo(s / v, 9);
          }
        },
      ),
    );
  });

  it('ignores empty trades and refuses time going backwards', () => {
    const tfi = new TradeFlowImbalance(1);
    tfi.add(0, 0, false);
    tfi.add(0, Number.NaN, false);
    expect(tfi.valueAt(0)).toBeNaN();
    tfi.add(10, 1, false);
    expect(() => tfi.add(5, 1, false)).toThrow(OutOfOrderTimeError);
    expect(() => new TradeFlowImbalance(0)).toThrow(ConfigError);
  });
});
