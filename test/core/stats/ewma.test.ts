import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { Ewma } from '../../../src/core/stats/ewma.js';

const feed = (ewma: Ewma, xs: readonly number[]): number[] => xs.map((x) => ewma.update(x));

describe('Ewma', () => {
  it('follows y = (1 - alpha) y + alpha x from the first observation (span 3: alpha 1/2)', () => {
    const ewma = new Ewma({ span: 3 });
    expect(ewma.alpha).toBe(0.5);
    expect(feed(ewma, [1, 2, 3])).toEqual([1, 1.5, 2.25]);
    expect(ewma.count).toBe(3);
  });

  it('carries the average through NaN rows while the old weight keeps decaying (pandas ignore_na=False)', () => {
    // pandas: Series([nan, 1, nan, 3]).ewm(span=3, adjust=False).mean() -> [nan, 1, 1, 2.3333333333333335]
    // old weight after the gap is 0.5^2, so 3 gets 0.5 / (0.25 + 0.5) = 2/3 of the weight.
    expect(feed(new Ewma({ span: 3 }), [Number.NaN, 1, Number.NaN, 3])).toEqual([
      Number.NaN,
      1,
      1,
      2.3333333333333335,
    ]);
  });

  it('reports NaN until minPeriods observations, counting observations not rows', () => {
    const ewma = new Ewma({ span: 3, minPeriods: 2 });
    expect(feed(ewma, [1, Number.NaN, Number.NaN])).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect(ewma.ready).toBe(false);
    // The hidden average kept decaying: 0.5^3 old weight against 0.5 new.
    expect(ewma.update(2)).toBeCloseTo((0.125 * 1 + 0.5 * 2) / 0.625, 15);
    expect(ewma.ready).toBe(true);
    expect(ewma.count).toBe(2);
  });

  it('treats minPeriods 0 as 1, as pandas does', () => {
    const ewma = new Ewma({ span: 5, minPeriods: 0 });
    expect(ewma.update(Number.NaN)).toBeNaN();
    expect(ewma.update(4)).toBe(4);
  });

  it('keeps a constant series exactly constant', () => {
    const ewma = new Ewma({ span: 30 });
    for (let i = 0; i < 1000; i++) ewma.update(0.1);
    expect(ewma.value).toBe(0.1);
  });

  it('starts over after reset', () => {
    const ewma = new Ewma({ span: 3 });
    feed(ewma, [5, 6, 7]);
    ewma.reset();
    expect(ewma.value).toBeNaN();
    expect(ewma.count).toBe(0);
    expect(feed(ewma, [1, 2])).toEqual([1, 1.5]);
  });

  it('rejects spans below 1 and bad minPeriods with ConfigError', () => {
    expect(() => new Ewma({ span: 0.5 })).toThrow(ConfigError);
    expect(() => new Ewma({ span: Number.NaN })).toThrow(ConfigError);
    expect(() => new Ewma({ span: 3, minPeriods: -1 })).toThrow(ConfigError);
    expect(() => new Ewma({ span: 3, minPeriods: 1.5 })).toThrow(ConfigError);
  });

  it('equals the closed form (1-a)^t x0 + sum a (1-a)^(t-i) x_i on NaN-free input', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 200, noNaN: true }),
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (span, xs) => {
          const ewma = new Ewma({ span });
          const a = 2 / (span + 1);
          xs.forEach((x, t) => {
            const got = ewma.update(x);
            let expected = (1 - a) ** t * (xs[0] as number);
            for (let i = 1; i <= t; i++) expected += a * (1 - a) ** (t - i) * (xs[i] as number);
            expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-9 * 1e3);
          });
        },
      ),
    );
  });

  it('stays within the observations seen and repeats itself on NaN rows', () => {
    const row = fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constant(Number.NaN));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(row, { maxLength: 300 }), (span, xs) => {
        const ewma = new Ewma({ span });
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        let previous = Number.NaN;
        for (const x of xs) {
          const got = ewma.update(x);
          if (Number.isNaN(x)) {
            expect(Object.is(got, previous) || (Number.isNaN(got) && Number.isNaN(previous))).toBe(true);
          } else {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
            expect(got).toBeGreaterThanOrEqual(lo - 1e-15);
            expect(got).toBeLessThanOrEqual(hi + 1e-15);
          }
          previous = got;
        }
      }),
    );
  });
});
