import { describe, expect, it } from 'vitest';
import { GateMetrics } from '../../../src/core/metrics/gate-metrics.js';

describe('GateMetrics', () => {
  it('reports share of time, entries and forward returns per state against the base rate (by hand)', () => {
    const m = new GateMetrics([2000]);
    const rows: [number, number, number, number][] = [
      [0, 0, 0, 1],
      [0, 1, 1000, -1],
      [-1, 0, 2000, -2],
      [-1, 1, 3000, -1],
      [-1, 2, 4000, 0],
      [1, 0, 5000, 3],
    ];
    for (const [gate, age, t, ret] of rows) m.update(gate, age, t, [ret]);
    const r = m.result();
    expect(r.rows).toBe(6);
    expect(r.base_rates['2s']).toEqual({ n: 6, mean: 0, up_rate: 2 / 6, down_rate: 3 / 6, zero_rate: 1 / 6 });
    const bear = r.states.bearish;
    expect(bear.rows).toBe(3);
    expect(bear.share_rows).toBe(0.5);
    // Each row's state lasts until the next row: bearish 2 s → 5 s of the 5 s covered.
    expect(bear.share_time).toBeCloseTo(0.6, 15);
    expect(r.states.neutral.share_time).toBeCloseTo(0.4, 15);
    expect(r.states.bullish.share_time).toBe(0);
    expect(bear.entries).toBe(1);
    expect(bear.mean_duration_rows).toBe(3);
    const f = bear.forward['2s']!;
    expect(f.n).toBe(3);
    expect(f.mean).toBeCloseTo(-1, 15);
    expect(f.std).toBeCloseTo(1, 15);
    expect(f.t_stat).toBeCloseTo(-Math.sqrt(3), 14);
    expect(f.down_rate).toBeCloseTo(2 / 3, 15);
    expect(f.down_lift).toBeCloseTo(4 / 3, 15);
    expect(f.zero_rate).toBeCloseTo(1 / 3, 15);
    // Rows at least 2 s apart within the state: 2 s and 4 s (returns −2 and 0).
    expect(f.n_nonoverlap).toBe(2);
    expect(f.mean_nonoverlap).toBeCloseTo(-1, 15);
    expect(f.t_stat_nonoverlap).toBeCloseTo(-1, 14);
    expect(f.at_entry).toEqual({ n: 1, mean: -2, up_rate: 0, down_rate: 1 });
    expect(r.states.bullish.forward['2s']!.up_lift).toBeCloseTo(3, 15);
  });
});
