import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import {
  ForwardReturnLabeler,
  horizonColumn,
  horizonName,
} from '../../../src/core/labels/forward-returns.js';

interface TestRow {
  readonly i: number;
  labels: number[];
  writes: number[];
  next: number;
  nextWrites: number;
}

const NA = Number.NaN;

function labeler(horizonsMs: number[], toleranceMs: number, maxHeldRows?: number) {
  return new ForwardReturnLabeler<TestRow>(
    { horizonsMs, toleranceMs, ...(maxHeldRows !== undefined ? { maxHeldRows } : {}) },
    {
      horizon: (row, j, value) => {
        row.labels[j] = value;
        row.writes[j] = (row.writes[j] ?? 0) + 1;
      },
      next: (row, value) => {
        row.next = value;
        row.nextWrites++;
      },
    },
  );
}

/** Feeds (time, price) samples; price doubles as the mid. Returns rows in release order and when each left. */
function run(
  samples: readonly (readonly [number, number])[],
  horizonsMs: number[],
  toleranceMs: number,
  maxHeldRows?: number,
): { rows: TestRow[]; releasedAt: number[] } {
  const l = labeler(horizonsMs, toleranceMs, maxHeldRows);
  const rows: TestRow[] = [];
  const releasedAt: number[] = [];
  samples.forEach(([t, p], i) => {
    const out: TestRow[] = [];
    l.push({ i, labels: horizonsMs.map(() => NA), writes: [], next: NA, nextWrites: 0 }, t, p, p, out);
    expect(l.size).toBeLessThanOrEqual(maxHeldRows ?? Infinity);
    for (const r of out) releasedAt[r.i] = i;
    rows.push(...out);
  });
  const out: TestRow[] = [];
  l.flush(out);
  for (const r of out) releasedAt[r.i] = samples.length;
  rows.push(...out);
  expect(l.size).toBe(0);
  // Every label was written exactly once.
  for (const r of rows) {
    expect(r.writes).toEqual(horizonsMs.map(() => 1));
    expect(r.nextWrites).toBe(1);
  }
  return { rows, releasedAt };
}

const ln = Math.log;

describe('ForwardReturnLabeler', () => {
  it('labels a 6-row sequence with a missing row by hand, releasing each row once its last label is known', () => {
    // t = 0..5 s; the row at 2 s is missing (no price). Horizons 1 s and 2 s, tolerance 0.5 s.
    const { rows, releasedAt } = run(
      [
        [0, 100],
        [1000, 101],
        [2000, NA],
        [3000, 102],
        [4000, 103],
        [5000, 104],
      ],
      [1000, 2000],
      500,
    );
    expect(rows.map((r) => r.i)).toEqual([0, 1, 2, 3, 4, 5]);
    const oneSecond = rows.map((r) => r.labels[0]);
    const twoSeconds = rows.map((r) => r.labels[1]);
    expect(oneSecond).toEqual([ln(101) - ln(100), NA, NA, ln(103) - ln(102), ln(104) - ln(103), NA]);
    // Row 0's 2 s target is the missing row; row 1's crosses it; row 3 reaches 5 s; rows 4, 5 run out.
    expect(twoSeconds).toEqual([NA, NA, NA, ln(104) - ln(102), NA, NA]);
    // The seed's next-sample label, whatever the status (NaN through the missing mid).
    expect(rows.map((r) => r.next)).toEqual([
      ln(101) - ln(100),
      NA,
      NA,
      ln(103) - ln(102),
      ln(104) - ln(103),
      NA,
    ]);
    // Row k leaves when the sample 2 s later arrives (index k + 2), the last two at the end.
    expect(releasedAt).toEqual([2, 3, 4, 5, 6, 6]);
  });

  it('takes the first sample at or after t + h - tol, within t + h + tol, so poll jitter does not skip a sample', () => {
    const { rows } = run(
      [
        [0, 100],
        [980, 101],
        [2030, 102],
        [2990, 103],
      ],
      [1000],
      500,
    );
    expect(rows.map((r) => r.labels[0])).toEqual([
      ln(101) - ln(100),
      ln(102) - ln(101),
      ln(103) - ln(102),
      NA,
    ]);
  });

  it('is missing when the future around t + h was not observed (target later than t + h + tol)', () => {
    const { rows } = run(
      [
        [0, 100],
        [1000, 101],
        [2600, 102],
      ],
      [1000],
      500,
    );
    expect(rows.map((r) => r.labels[0])).toEqual([ln(101) - ln(100), NA, NA]);
  });

  it('caps the tolerance at half the horizon, so the target is always strictly later than t', () => {
    // Tolerance 10 s asked, horizon 1 s: targets must lie in [t + 0.5 s, t + 1.5 s]; the sample 0.4 s
    // after row 0 is too early for it.
    const { rows } = run(
      [
        [0, 100],
        [400, 101],
        [1200, 102],
      ],
      [1000],
      10_000,
    );
    expect(rows.map((r) => r.labels[0])).toEqual([ln(102) - ln(100), ln(102) - ln(101), NA]);
  });

  it('never measures across time going backwards', () => {
    const { rows } = run(
      [
        [5000, 100],
        [6000, 101],
        [1000, 102],
        [2000, 103],
      ],
      [1000],
      500,
    );
    expect(rows.map((r) => r.labels[0])).toEqual([ln(101) - ln(100), NA, ln(103) - ln(102), NA]);
  });

  it('bounds the rows held: past maxHeldRows the oldest leaves with its unknown labels missing', () => {
    const samples = Array.from({ length: 10 }, (_, i) => [i * 100, 100 + i] as const);
    const { rows, releasedAt } = run(samples, [60_000], 500, 3);
    expect(rows.map((r) => r.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rows.every((r) => Number.isNaN(r.labels[0]!))).toBe(true);
    // Row 0 is forced out when the 4th row arrives, and so on.
    expect(releasedAt.slice(0, 7)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(rows[0]!.next).toBe(ln(101) - ln(100));
  });

  it('names horizons in seconds when whole, else milliseconds', () => {
    expect(horizonName(1000)).toBe('1s');
    expect(horizonName(60_000)).toBe('60s');
    expect(horizonName(500)).toBe('500ms');
    expect(horizonName(1500)).toBe('1500ms');
    expect(horizonColumn(5000)).toBe('ret_fwd_5s');
  });

  it('rejects bad options', () => {
    expect(() => labeler([0], 0)).toThrow(ConfigError);
    expect(() => labeler([1000, 1000], 0)).toThrow(ConfigError);
    expect(() => labeler([1.5], 0)).toThrow(ConfigError);
    expect(() => labeler([1000], -1)).toThrow(ConfigError);
    expect(() => labeler([1000], 0, 1)).toThrow(ConfigError);
  });

  it('equals a naive recomputation, releases every row once in input order, and holds at most maxHeldRows', () => {
    const sample = fc.record({
      dt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1500 }), fc.constant(1000)),
      valid: fc.integer({ min: 0, max: 9 }).map((v) => v < 8),
      price: fc.double({ min: 1, max: 1000, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(sample, { minLength: 0, maxLength: 80 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 4000 }), { minLength: 0, maxLength: 4 }),
        fc.integer({ min: 0, max: 800 }),
        fc.integer({ min: 2, max: 100 }),
        (draws, horizons, tol, maxHeld) => {
          let t = 1_000_000;
          const samples = draws.map((d) => {
            t += d.dt;
            return [t, d.valid ? d.price : NA] as const;
          });
          const { rows } = run(samples, horizons, tol, maxHeld);
          expect(rows.map((r) => r.i)).toEqual(samples.map((_, i) => i));
          // Naive recomputation from the definition. A row is forced out with its label missing once maxHeld
          // later rows arrived, so a target more than maxHeld rows away is missing by design.
          samples.forEach(([ti, pi], i) => {
            horizons.forEach((h, j) => {
              const tl = Math.min(tol, h / 2);
              let target = -1;
              for (let k = i + 1; k < samples.length; k++) {
                if (samples[k]![0] >= ti + h - tl) {
                  target = k;
                  break;
                }
              }
              let want = NA;
              const reachable = target >= 0 && target - i <= maxHeld;
              if (reachable && samples[target]![0] <= ti + h + tl && !Number.isNaN(pi)) {
                let gap = false;
                for (let k = i + 1; k <= target; k++) if (Number.isNaN(samples[k]![1])) gap = true;
                if (!gap) want = ln(samples[target]![1]) - ln(pi);
              }
              expect(rows[i]!.labels[j]).toBe(want);
            });
            const next = i + 1 < samples.length ? ln(samples[i + 1]![1]) - ln(pi) : NA;
            expect(rows[i]!.next).toBe(next);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
