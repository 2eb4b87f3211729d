import { describe, expect, it } from 'vitest';
import { HorizonMetrics, wilsonInterval } from '../../../src/core/metrics/horizon-metrics.js';
import { SeriesWindow } from '../../../src/core/metrics/series-window.js';

describe('HorizonMetrics', () => {
  it('counts zero moves, up/down shares and the hit rate of sign(obi) over non-zero moves (by hand)', () => {
    const window = new SeriesWindow(2, 100);
    const h = new HorizonMetrics(5000, 'ret_fwd_5s', ['obi'], window, [0], 1);
    const rows: [number, number][] = [
      [0.5, 1],
      [-0.2, 1],
      [0, -1],
      [0.3, 0],
      [Number.NaN, 2],
      [0.4, Number.NaN],
    ];
    for (const [obi, ret] of rows) {
      window.push([obi, ret]);
      h.update([obi], ret);
    }
    const r = h.result();
    expect(r.labelled).toBe(5);
    expect(r.unlabelled).toBe(1);
    expect(r.zero_move_share).toBeCloseTo(0.2, 15);
    expect(r.up_share).toBeCloseTo(0.6, 15);
    expect(r.down_share).toBeCloseTo(0.2, 15);
    expect(r.mid_rarely_moves).toBe(false);
    // Hit trials: (0.5, +) hit, (−0.2, +) miss; obi 0, return 0 and NaN rows do not count.
    expect(r.hit_rate.n).toBe(2);
    expect(r.hit_rate.rate).toBe(0.5);
    expect(r.ic['obi']!.n).toBe(4);
    expect(r.ic['obi']!.spearman_n).toBe(4);
    expect(r.horizon_sec).toBe(5);
  });

  it('says when the mid rarely moves', () => {
    const window = new SeriesWindow(2, 10);
    const h = new HorizonMetrics(1000, 'ret_fwd_1s', ['obi'], window, [0], 1);
    for (const ret of [0, 0, 0, 1]) {
      window.push([0.1, ret]);
      h.update([0.1], ret);
    }
    expect(h.result().zero_move_share).toBe(0.75);
    expect(h.result().mid_rarely_moves).toBe(true);
  });
});

describe('wilsonInterval', () => {
  it('matches the score interval by hand', () => {
    const [lo, hi] = wilsonInterval(1, 2);
    expect(lo).toBeCloseTo(0.0945, 4);
    expect(hi).toBeCloseTo(0.9055, 4);
    expect(wilsonInterval(0, 0)).toEqual([Number.NaN, Number.NaN]);
    const [l2, h2] = wilsonInterval(0, 10);
    expect(l2).toBe(0);
    expect(h2).toBeCloseTo(0.2775, 4);
  });
});
