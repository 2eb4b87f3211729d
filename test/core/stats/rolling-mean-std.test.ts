import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { RollingMeanStd } from '../../../src/core/stats/rolling-mean-std.js';

const NA = Number.NaN;

/** pandas rolling(window, min_periods) mean and var, recomputed from the whole history for the last row. */
function naive(
  history: readonly number[],
  window: number,
  minPeriods: number,
): { mean: number; variance: number } {
  const obs = history.slice(-window).filter((x) => !Number.isNaN(x));
  const n = obs.length;
  const mean = n >= Math.max(minPeriods, 1) ? obs.reduce((s, x) => s + x, 0) / n : NA;
  if (n < Math.max(minPeriods, 2)) return { mean, variance: NA };
  const m = obs.reduce((s, x) => s + x, 0) / n;
  return { mean, variance: obs.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1) };
}

describe('RollingMeanStd', () => {
  it('matches pandas rolling(3, min_periods=2) by hand, NaN rows taking a slot', () => {
    // pandas: Series([1, 2, nan, 4, 5]).rolling(3, min_periods=2).std()
    //   -> [nan, 0.7071067811865476, 0.7071067811865476, 1.4142135623730951, 0.7071067811865476]
    const rolling = new RollingMeanStd({ window: 3, minPeriods: 2 });
    const rows = [1, 2, NA, 4, 5].map((x) => [rolling.update(x), rolling.std, rolling.count, rolling.size]);
    expect(rows).toEqual([
      [NA, NA, 1, 1],
      [1.5, 0.7071067811865476, 2, 2],
      [1.5, 0.7071067811865476, 2, 3],
      [3, 1.4142135623730951, 2, 3],
      [4.5, 0.7071067811865476, 2, 3],
    ]);
  });

  it('defaults minPeriods to the window, like pandas', () => {
    const rolling = new RollingMeanStd({ window: 3 });
    expect([1, 2].map((x) => rolling.update(x))).toEqual([NA, NA]);
    expect(rolling.ready).toBe(false);
    expect(rolling.update(3)).toBe(2);
    expect(rolling.ready).toBe(true);
    expect(rolling.update(NA)).toBeNaN();
  });

  it('has no std with a single observation, even with minPeriods 1', () => {
    const rolling = new RollingMeanStd({ window: 5, minPeriods: 1 });
    rolling.update(7);
    expect(rolling.mean).toBe(7);
    expect(rolling.std).toBeNaN();
    expect(rolling.variance).toBeNaN();
  });

  it('reports an all-equal window exactly: the value itself and std 0', () => {
    const rolling = new RollingMeanStd({ window: 4, minPeriods: 3 });
    for (const x of [5, -3, 0.1, 0.1, NA, 0.1]) rolling.update(x);
    // A plain sum would give 0.30000000000000004 / 3.
    expect(rolling.mean).toBe(0.1);
    expect(rolling.std).toBe(0);
  });

  it('recovers after a NaN run longer than the window', () => {
    const rolling = new RollingMeanStd({ window: 3, minPeriods: 1 });
    for (const x of [1e6, 2e6, NA, NA, NA]) rolling.update(x);
    expect(rolling.mean).toBeNaN();
    expect(rolling.count).toBe(0);
    expect(rolling.update(1)).toBe(1);
    expect(rolling.update(3)).toBe(2);
    expect(rolling.std).toBeCloseTo(Math.SQRT2, 12);
  });

  it('starts over after reset', () => {
    const rolling = new RollingMeanStd({ window: 2, minPeriods: 1 });
    [4, 8, 9].forEach((x) => rolling.update(x));
    rolling.reset();
    expect(rolling.size).toBe(0);
    expect(rolling.update(1)).toBe(1);
    expect(rolling.update(2)).toBe(1.5);
  });

  it('rejects bad windows with ConfigError', () => {
    expect(() => new RollingMeanStd({ window: 0 })).toThrow(ConfigError);
    expect(() => new RollingMeanStd({ window: 2.5 })).toThrow(ConfigError);
    expect(() => new RollingMeanStd({ window: 3, minPeriods: 4 })).toThrow(ConfigError);
    expect(() => new RollingMeanStd({ window: 3, minPeriods: -1 })).toThrow(ConfigError);
  });

  it('equals a naive recomputation over the last window rows at every row', () => {
    const row = fc.oneof(
      { weight: 6, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) },
      { weight: 2, arbitrary: fc.integer({ min: -3, max: 3 }).map((i) => i / 4) },
      { weight: 2, arbitrary: fc.constant(NA) },
    );
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 40 })
          .chain((window) =>
            fc.tuple(
              fc.constant(window),
              fc.integer({ min: 0, max: window }),
              fc.array(row, { maxLength: 300 }),
            ),
          ),
        ([window, minPeriods, xs]) => {
          const rolling = new RollingMeanStd({ window, minPeriods });
          const scale = Math.max(1, ...xs.filter((x) => !Number.isNaN(x)).map(Math.abs));
          xs.forEach((x, i) => {
            const got = rolling.update(x);
            const expected = naive(xs.slice(0, i + 1), window, minPeriods);
            if (Number.isNaN(expected.mean)) expect(got).toBeNaN();
            else expect(Math.abs(got - expected.mean)).toBeLessThanOrEqual(1e-9 * scale);
            if (Number.isNaN(expected.variance)) expect(rolling.variance).toBeNaN();
            else
              expect(Math.abs(rolling.variance - expected.variance)).toBeLessThanOrEqual(
                1e-9 * scale * scale,
              );
            expect(rolling.std).toBe(Math.sqrt(rolling.variance));
          });
        },
      ),
    );
  });
});
