import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { RollingQuantile } from '../../../src/core/stats/rolling-quantile.js';

const NA = Number.NaN;

/** pandas rolling(window, min_periods).quantile(q), linear, recomputed for the last row of `history`. */
function naive(history: readonly number[], window: number, minPeriods: number, q: number): number {
  const obs = history
    .slice(-window)
    .filter((x) => !Number.isNaN(x))
    .sort((a, b) => a - b);
  const n = obs.length;
  if (n === 0 || n < minPeriods) return NA;
  const position = q * (n - 1);
  const below = Math.floor(position);
  const low = obs[below] as number;
  if (below === position) return low;
  return low + ((obs[below + 1] as number) - low) * (position - below);
}

describe('RollingQuantile', () => {
  it('matches pandas rolling(4, min_periods=1).quantile(0.25) by hand', () => {
    // pandas: Series([3, 1, nan, 2, 5]).rolling(4, min_periods=1).quantile(0.25) -> [3, 1.5, 1.5, 1.5, 1.5]
    const rolling = new RollingQuantile({ window: 4, minPeriods: 1, q: 0.25 });
    expect([3, 1, NA, 2, 5].map((x) => rolling.update(x))).toEqual([3, 1.5, 1.5, 1.5, 1.5]);
    expect(rolling.count).toBe(3);
    expect(rolling.size).toBe(4);
  });

  it('answers other quantiles of the same window', () => {
    const rolling = new RollingQuantile({ window: 5, q: 0.5 });
    [10, 40, 20, 30, 50].forEach((x) => rolling.update(x));
    expect(rolling.value).toBe(30);
    expect(rolling.quantile(0)).toBe(10);
    expect(rolling.quantile(1)).toBe(50);
    expect(rolling.quantile(0.1)).toBe(14);
    expect(() => rolling.quantile(1.5)).toThrow(ConfigError);
  });

  it('reports NaN below minPeriods observations and defaults minPeriods to the window', () => {
    const rolling = new RollingQuantile({ window: 3, q: 0.5 });
    expect([1, NA, 2, 3].map((x) => rolling.update(x))).toEqual([NA, NA, NA, NA]);
    expect(rolling.update(4)).toBe(3);
    expect(rolling.ready).toBe(true);
  });

  it('keeps duplicates apart when they leave the window', () => {
    const rolling = new RollingQuantile({ window: 3, minPeriods: 1, q: 1 });
    expect([5, 5, 1, 1, 1].map((x) => rolling.update(x))).toEqual([5, 5, 5, 5, 1]);
  });

  it('starts over after reset and rejects bad options', () => {
    const rolling = new RollingQuantile({ window: 2, minPeriods: 1, q: 0.5 });
    [1, 2, 3].forEach((x) => rolling.update(x));
    rolling.reset();
    expect(rolling.value).toBeNaN();
    expect(rolling.update(9)).toBe(9);
    expect(() => new RollingQuantile({ window: 2, q: -0.1 })).toThrow(ConfigError);
    expect(() => new RollingQuantile({ window: 2, q: NA })).toThrow(ConfigError);
    expect(() => new RollingQuantile({ window: 0, q: 0.5 })).toThrow(ConfigError);
  });

  it('equals a naive sort of the last window rows at every row', () => {
    const row = fc.oneof(
      { weight: 5, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
      { weight: 3, arbitrary: fc.integer({ min: -3, max: 3 }).map((i) => i / 4) },
      { weight: 2, arbitrary: fc.constant(NA) },
    );
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 50 })
          .chain((window) =>
            fc.tuple(
              fc.constant(window),
              fc.integer({ min: 0, max: window }),
              fc.oneof(fc.constantFrom(0, 0.1, 0.5, 0.9, 1), fc.double({ min: 0, max: 1, noNaN: true })),
              fc.array(row, { maxLength: 300 }),
            ),
          ),
        ([window, minPeriods, q, xs]) => {
          const rolling = new RollingQuantile({ window, minPeriods, q });
          xs.forEach((x, i) => {
            // + 0 folds -0 into 0: the sign of a zero depends on tie order, which the naive sort does not model.
            expect(rolling.update(x) + 0).toBe(naive(xs.slice(0, i + 1), window, minPeriods, q) + 0);
          });
        },
      ),
    );
  });
});
