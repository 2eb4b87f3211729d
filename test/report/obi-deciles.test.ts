import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ObiDeciles } from '../../src/report/obi-deciles.js';

describe('ObiDeciles', () => {
  it('puts ten evenly spread obi values one per decile, with their returns', () => {
    const d = new ObiDeciles(2);
    for (let i = 0; i < 10; i++) d.add(-0.8995 + 0.2 * i, [i * 1e-4, i % 2 === 0 ? Number.NaN : -i]);
    const rows = d.result();
    expect(rows.map((r) => r.decile)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rows.map((r) => r.rows)).toEqual(Array(10).fill(1));
    expect(rows[3]!.returns[0]!.mean).toBeCloseTo(3e-4, 15);
    expect(rows[3]!.returns[1]!).toMatchObject({ n: 1, mean: -3, up: 0, down: 1, se: null });
    expect(rows[2]!.returns[1]!.n).toBe(0);
    // Decile 1 is the bin of obi −0.8995: [-0.9, -0.899).
    expect(rows[0]!.obiLow).toBeCloseTo(-0.9, 12);
    expect(rows[0]!.obiHigh).toBeCloseTo(-0.899, 12);
  });

  it('gives the mean, standard error and t of a decile by hand', () => {
    const d = new ObiDeciles(1);
    for (const r of [1, 2, 3, 6]) d.add(0.5, [r]);
    const [only] = d.result();
    // mean 3, sample variance (4+1+0+9)/3 = 14/3, se = sqrt(14/3/4)
    expect(only!.returns[0]!.mean).toBe(3);
    expect(only!.returns[0]!.se).toBeCloseTo(Math.sqrt(14 / 12), 12);
    expect(only!.returns[0]!.t).toBeCloseTo(3 / Math.sqrt(14 / 12), 12);
  });

  it('skips obi outside [-1, 1] and NaN', () => {
    const d = new ObiDeciles(1);
    d.add(Number.NaN, [1]);
    d.add(1.5, [1]);
    expect(d.result()).toEqual([]);
  });

  it('groups rows into at most ten ordered groups of nearly equal size (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 50, maxLength: 500 }),
        (obis) => {
          const d = new ObiDeciles(1, 200);
          for (const x of obis) d.add(x, [x]);
          const rows = d.result();
          expect(rows.length).toBeLessThanOrEqual(10);
          expect(rows.reduce((n, r) => n + r.rows, 0)).toBe(obis.length);
          for (let i = 1; i < rows.length; i++) {
            expect(rows[i]!.decile).toBeGreaterThan(rows[i - 1]!.decile);
            expect(rows[i]!.obiLow).toBeGreaterThanOrEqual(rows[i - 1]!.obiHigh - 1e-12);
            // With returns equal to obi, means increase with the decile.
            expect(rows[i]!.returns[0]!.mean!).toBeGreaterThan(rows[i - 1]!.returns[0]!.mean!);
          }
        },
      ),
    );
  });
});
