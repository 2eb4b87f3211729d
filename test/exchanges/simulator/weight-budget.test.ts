import { describe, expect, it } from 'vitest';
import { WeightBudget } from '../../../src/exchanges/simulator/weight-budget.js';

const MINUTE = 60_000;
const T0 = 1_700_000_080_000; // 40 s into a calendar minute

describe('WeightBudget', () => {
  it('counts weight per IP per calendar minute', () => {
    const b = new WeightBudget({ limit: 100 });
    expect(b.admit('a', 40, T0)).toEqual({ kind: 'ok', usedWeight: 40 });
    expect(b.admit('a', 60, T0 + 1)).toEqual({ kind: 'ok', usedWeight: 100 });
    expect(b.admit('b', 5, T0 + 2)).toEqual({ kind: 'ok', usedWeight: 5 });
    // 20 s later the calendar minute has rolled over
    expect(b.admit('a', 5, T0 + 20_000)).toEqual({ kind: 'ok', usedWeight: 5 });
  });

  it('answers 429 with the seconds left in the minute, then bans an IP that keeps going', () => {
    const b = new WeightBudget({ limit: 10, banAfter429s: 2, banMs: 120_000 });
    expect(b.admit('a', 10, T0).kind).toBe('ok');
    expect(b.admit('a', 1, T0 + 500)).toEqual({ kind: 'limited', usedWeight: 11, retryAfterS: 20 });
    expect(b.admit('a', 1, T0 + 1000)).toEqual({ kind: 'limited', usedWeight: 12, retryAfterS: 19 });
    const banned = b.admit('a', 1, T0 + 2000);
    expect(banned).toEqual({ kind: 'banned', usedWeight: 13, retryAfterS: 120, bannedUntilMs: T0 + 122_000 });
    // still banned in the next minute, with the remaining time
    expect(b.admit('a', 1, T0 + MINUTE)).toMatchObject({ kind: 'banned', retryAfterS: 62 });
    expect(b.admit('a', 1, T0 + 122_000)).toEqual({ kind: 'ok', usedWeight: 1 });
  });

  it('doubles the ban for repeat offenders, up to the cap', () => {
    const b = new WeightBudget({ limit: 1, banAfter429s: 0, banMs: 1000, maxBanMs: 3000 });
    let t = T0;
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      b.admit('a', 1, t);
      const v = b.admit('a', 1, t);
      if (v.kind !== 'banned') throw new Error('expected a ban');
      lengths.push(v.bannedUntilMs - t);
      t = v.bannedUntilMs + MINUTE;
    }
    expect(lengths).toEqual([1000, 2000, 3000, 3000]);
  });
});
