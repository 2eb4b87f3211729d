import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { Ewma } from '../../../src/core/stats/ewma.js';
import { OutOfOrderTimeError } from '../../../src/core/stats/out-of-order-time-error.js';
import { TimeEwma } from '../../../src/core/stats/time-ewma.js';

describe('TimeEwma', () => {
  it('gives a new observation weight 1/2 after one half-life, whatever the spacing', () => {
    const ewma = new TimeEwma({ halfLifeSec: 1 });
    expect(ewma.update(0, 0)).toBe(0);
    expect(ewma.update(1, 1000)).toBeCloseTo(0.5, 15);
    expect(ewma.update(1, 2000)).toBeCloseTo(0.75, 15);
    // Two half-lives at once: weight 3/4.
    expect(ewma.update(0, 4000)).toBeCloseTo(0.75 * 0.25, 15);
  });

  it('ignores a second observation at the same instant', () => {
    const ewma = new TimeEwma({ halfLifeSec: 1 });
    ewma.update(2, 500);
    expect(ewma.update(10, 500)).toBe(2);
    expect(ewma.count).toBe(2);
  });

  it('skips NaN, so the next observation decays over the whole gap', () => {
    const ewma = new TimeEwma({ halfLifeSec: 2 });
    ewma.update(0, 0);
    expect(ewma.update(Number.NaN, 2000)).toBe(0);
    expect(ewma.timeMs).toBe(0);
    expect(ewma.update(1, 4000)).toBeCloseTo(0.75, 15);
  });

  it('reports NaN until minPeriods observations', () => {
    const ewma = new TimeEwma({ halfLifeSec: 1, minPeriods: 2 });
    expect(ewma.update(1, 0)).toBeNaN();
    expect(ewma.ready).toBe(false);
    expect(ewma.update(1, 10)).toBe(1);
    expect(ewma.ready).toBe(true);
  });

  it('throws OutOfOrderTimeError when time goes backwards', () => {
    const ewma = new TimeEwma({ halfLifeSec: 1 });
    ewma.update(1, 1000);
    expect(() => ewma.update(1, 999)).toThrow(OutOfOrderTimeError);
    expect(() => ewma.update(1, Number.NaN)).toThrow(OutOfOrderTimeError);
    // The failed updates changed nothing.
    expect(ewma.timeMs).toBe(1000);
    expect(ewma.count).toBe(1);
  });

  it('rejects non-positive half-lives with ConfigError', () => {
    expect(() => new TimeEwma({ halfLifeSec: 0 })).toThrow(ConfigError);
    expect(() => new TimeEwma({ halfLifeSec: Number.POSITIVE_INFINITY })).toThrow(ConfigError);
  });

  it('starts over after reset', () => {
    const ewma = new TimeEwma({ halfLifeSec: 1 });
    ewma.update(5, 100);
    ewma.reset();
    expect(ewma.value).toBeNaN();
    expect(ewma.update(3, 0)).toBe(3);
  });

  it('on a fixed cadence equals the span EWMA with the same alpha', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (stepMs, halfLifeSec, xs) => {
          const timed = new TimeEwma({ halfLifeSec });
          const alpha = 1 - Math.exp((-Math.LN2 * stepMs) / 1000 / halfLifeSec);
          fc.pre(alpha > 1e-9);
          const bySpan = new Ewma({ span: 2 / alpha - 1 });
          xs.forEach((x, i) => {
            expect(timed.update(x, 1_700_000_000_000 + i * stepMs)).toBeCloseTo(bySpan.update(x), 9);
          });
        },
      ),
    );
  });

  it('depends only on time differences, not on the origin', () => {
    const sample = fc.record({ x: fc.double({ min: -1, max: 1, noNaN: true }), dtMs: fc.nat(60_000) });
    fc.assert(
      fc.property(
        fc.array(sample, { maxLength: 100 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (samples, originMs) => {
          const a = new TimeEwma({ halfLifeSec: 5 });
          const b = new TimeEwma({ halfLifeSec: 5 });
          let t = 0;
          for (const { x, dtMs } of samples) {
            t += dtMs;
            expect(a.update(x, t)).toBeCloseTo(b.update(x, originMs + t), 12);
          }
        },
      ),
    );
  });
});
