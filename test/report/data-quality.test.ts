import { describe, expect, it } from 'vitest';
import { DataQuality } from '../../src/report/data-quality.js';

describe('DataQuality', () => {
  it('counts statuses, resyncs after sync, missing runs and crossed books', () => {
    const q = new DataQuality(1000);
    const rows: [string, boolean][] = [
      ['unsynced', false], // before the first sync: not a resync
      ['ok', false],
      ['ok', true],
      ['unsynced', false], // resync 1
      ['unsynced', false],
      ['ok', false],
      ['missing', false],
      ['missing', false],
      ['ok', false],
      ['missing', false],
      ['unsynced', false], // resync 2
    ];
    rows.forEach(([status, crossed], i) =>
      q.add(i * 1000, status, status === 'ok' ? '' : `why ${status}`, crossed, 5),
    );
    const r = q.result();
    expect(r.rows).toBe(11);
    expect(r.statuses).toEqual({ unsynced: 4, ok: 4, missing: 3 });
    expect(r.resyncs).toBe(2);
    expect(r.missingRuns).toBe(2);
    expect(r.longestMissingRun).toBe(2);
    expect(r.crossedRows).toBe(1);
    expect(r.gaps).toBe(0);
    expect(r.latencyMs?.p50).toBe(5);
    expect(r.reasons).toEqual([
      { reason: 'why unsynced', rows: 4 },
      { reason: 'why missing', rows: 3 },
    ]);
  });

  it('finds holes longer than 2.5 intervals, largest first, with the interval given or estimated', () => {
    const times = [0, 100, 200, 300, 900, 1000, 1100, 1350, 1600, 5000];
    for (const given of [100, null]) {
      const q = new DataQuality(given);
      for (const t of times) q.add(t, 'ok', '', false, Number.NaN);
      const r = q.result();
      expect(r.intervalMs).toBe(100);
      // 300→900 (600 ms) and 1600→5000 (3400 ms); 250 ms is not > 2.5 × 100.
      expect(r.gaps).toBe(2);
      expect(r.gapTimeMs).toBe(500 + 3300);
      expect(r.largestGaps).toEqual([
        { fromMs: 1600, toMs: 5000 },
        { fromMs: 300, toMs: 900 },
      ]);
      expect(r.latencyMs).toBeNull();
    }
  });
});
