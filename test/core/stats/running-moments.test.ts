import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunningMoments } from '../../../src/core/stats/running-moments.js';

describe('RunningMoments', () => {
  it('computes count, mean, sample variance, min and max by hand, skipping NaN', () => {
    const moments = new RunningMoments();
    for (const x of [2, Number.NaN, 4, 4, 4, 5, 5, 7, 9]) moments.update(x);
    expect(moments.count).toBe(8);
    expect(moments.missing).toBe(1);
    expect(moments.mean).toBe(5);
    expect(moments.variance).toBeCloseTo(32 / 7, 14);
    expect(moments.std).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect([moments.min, moments.max]).toEqual([2, 9]);
    expect(moments.value).toBe(5);
  });

  it('is NaN when empty, and has no variance with one observation', () => {
    const moments = new RunningMoments();
    expect(moments.mean).toBeNaN();
    expect(moments.min).toBeNaN();
    expect(moments.ready).toBe(false);
    moments.update(3);
    expect(moments.ready).toBe(true);
    expect(moments.variance).toBeNaN();
    moments.reset();
    expect(moments.count).toBe(0);
    expect(moments.max).toBeNaN();
  });

  it('keeps the variance of a large level with a tiny spread', () => {
    const moments = new RunningMoments();
    for (let i = 0; i < 10_000; i++) moments.update(1e9 + (i % 2));
    expect(moments.variance).toBeCloseTo(10_000 / 4 / 9_999, 9);
  });

  it('equals a naive two-pass mean and variance', () => {
    const value = fc.oneof(
      { weight: 9, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
      { weight: 1, arbitrary: fc.constant(Number.NaN) },
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), (xs) => {
        const moments = new RunningMoments();
        xs.forEach((x) => moments.update(x));
        const obs = xs.filter((x) => !Number.isNaN(x));
        const n = obs.length;
        expect(moments.count).toBe(n);
        if (n === 0) return;
        const mean = obs.reduce((s, x) => s + x, 0) / n;
        expect(Math.abs(moments.mean - mean)).toBeLessThanOrEqual(1e-9 * 1e6);
        if (n > 1) {
          const variance = obs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
          expect(Math.abs(moments.variance - variance)).toBeLessThanOrEqual(1e-9 * 1e12);
        }
        expect(moments.min).toBe(Math.min(...obs));
        expect(moments.max).toBe(Math.max(...obs));
      }),
    );
  });
});
