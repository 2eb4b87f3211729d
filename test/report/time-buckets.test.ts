import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TimeBuckets } from '../../src/report/time-buckets.js';

describe('TimeBuckets', () => {
  it('keeps min and max in time order per bucket, and a gap as null', () => {
    const b = new TimeBuckets({ series: ['v'], capacity: 4, initialWidthMs: 10 });
    b.add(0, [5]);
    b.add(3, [1]); // bucket 0: max 5 at t=0, then min 1 at t=3
    b.add(12, [2]);
    b.add(15, [9]); // bucket 1: min first, then max
    b.add(31, [7]); // bucket 3; bucket 2 empty
    expect(b.length).toBe(4);
    expect(b.widthMs).toBe(10);
    expect(b.envelopeX()).toEqual([2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 32.5, 37.5]);
    expect(b.envelope(0)).toEqual([5, 1, 2, 9, null, null, 7, 7]);
    expect(b.meanPoints(0)).toEqual([3, 3, 5.5, 5.5, null, null, 7, 7]);
  });

  it('doubles its width by merging pairs when a row falls past the last bucket', () => {
    const b = new TimeBuckets({ series: ['v'], counters: ['c'], capacity: 4, initialWidthMs: 10 });
    for (let t = 0; t < 40; t += 5) b.add(t, [t], [0]);
    expect(b.widthMs).toBe(10);
    b.add(40, [-1], [0]); // index 4 ≥ capacity: merge to width 20, index 2
    expect(b.widthMs).toBe(20);
    expect(b.length).toBe(3);
    expect([b.rowsIn(0), b.rowsIn(1), b.rowsIn(2)]).toEqual([4, 4, 1]);
    expect([b.min(0, 0), b.max(0, 0), b.min(1, 0), b.max(1, 0), b.min(2, 0)]).toEqual([0, 15, 20, 35, -1]);
    expect(b.mean(1, 0)).toBe(27.5);
    expect(b.counter(1, 0)).toBe(4);
    b.add(1000, [3]); // far away: several doublings at once
    expect(b.widthMs).toBe(320);
    expect(b.length).toBe(4);
    expect(b.rowsIn(0)).toBe(9);
  });

  it('treats NaN as no value and counts the row anyway', () => {
    const b = new TimeBuckets({ series: ['a', 'b'], capacity: 2, initialWidthMs: 1 });
    b.add(0, [Number.NaN, 4]);
    expect(b.rowsIn(0)).toBe(1);
    expect(Number.isNaN(b.mean(0, 0))).toBe(true);
    expect(b.envelope(0)).toEqual([null, null]);
    expect(b.envelope(1)).toEqual([4, 4]);
  });

  it('matches a naive bucketing of the same rows, never exceeding its capacity (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
          {
            minLength: 1,
            maxLength: 400,
          },
        ),
        fc.integer({ min: 2, max: 50 }),
        (raw, capacity) => {
          const rows = [...raw].sort((a, b) => a[0] - b[0]);
          const b = new TimeBuckets({ series: ['v'], capacity, initialWidthMs: 1 });
          for (const [t, v] of rows) b.add(t, [v]);
          expect(b.length).toBeLessThanOrEqual(capacity);
          const origin = rows[0]![0];
          let total = 0;
          for (let i = 0; i < b.length; i++) {
            const start = origin + i * b.widthMs;
            const inside = rows.filter(([t]) => t >= start && t < start + b.widthMs).map(([, v]) => v);
            total += b.rowsIn(i);
            expect(b.rowsIn(i)).toBe(inside.length);
            if (inside.length > 0) {
              expect(b.min(i, 0)).toBe(Math.min(...inside));
              expect(b.max(i, 0)).toBe(Math.max(...inside));
            }
          }
          expect(total).toBe(rows.length);
          // The envelope keeps the run's extremes.
          const ys = b.envelope(0).filter((y): y is number => y !== null);
          expect(Math.min(...ys)).toBe(Math.min(...rows.map(([, v]) => v)));
          expect(Math.max(...ys)).toBe(Math.max(...rows.map(([, v]) => v)));
        },
      ),
    );
  });
});
