import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BookSample, SampleStatus } from '../../../src/core/book-sample.js';
import { createDepthView } from '../../../src/core/book/depth-view.js';
import { RowPipeline } from '../../../src/core/row/row-pipeline.js';
import { featureColumns } from '../../../src/core/row/column-schema.js';
import { SEED_COLUMNS, type FeatureRow } from '../../../src/core/row/feature-row.js';
import type { Trade } from '../../../src/events.js';
import { resolveFeatureOptions, type FeatureOptions } from '../../../src/options.js';
import { readRecording } from '../../../src/io/replay.js';
import { sampleSnapshots } from '../../../src/pipeline/snapshot-sampler.js';
import { computeRows } from '../../../src/pipeline/compute-rows.js';
import { PredictorMetrics } from '../../../src/core/metrics/predictor-metrics.js';

const NA = Number.NaN;
const ln = Math.log;

/** A one-level book sample: best bid/ask prices and quantities, or a sample with no book. */
function sample(
  timeMs: number,
  level: readonly [bid: number, bidQty: number, ask: number, askQty: number] | null,
  status: SampleStatus = level === null ? 'missing' : 'ok',
): BookSample {
  const view = createDepthView(1);
  if (level !== null) {
    view.bidPrices[0] = level[0];
    view.bidQtys[0] = level[1];
    view.askPrices[0] = level[2];
    view.askQtys[0] = level[3];
    view.bidCount = 1;
    view.askCount = 1;
  }
  return {
    symbol: 'TEST',
    timeMs,
    status,
    reason: status === 'ok' ? '' : 'test',
    lastUpdateId: null,
    exchangeTimeMs: null,
    receiveTimeMs: timeMs,
    requestTimeMs: null,
    view,
    crossed: false,
    locked: false,
  };
}

function trade(localTimeMs: number, price: number, qty: number, buyerIsMaker: boolean): Trade {
  return {
    type: 'trade',
    exchange: 'test',
    market: 'spot',
    symbol: 'TEST',
    tradeId: localTimeMs,
    price,
    qty,
    buyerIsMaker,
    exchangeTimeMs: localTimeMs,
    localTimeMs,
  };
}

const ONE_LEVEL: Partial<FeatureOptions> = { levels: 1, obiLevels: [1], ofiLevels: 1, intervalSec: 1 };

function runAll(
  options: FeatureOptions,
  samples: readonly BookSample[],
): { rows: FeatureRow[]; leftAt: number[] } {
  const p = new RowPipeline(options);
  const rows: FeatureRow[] = [];
  const leftAt: number[] = [];
  samples.forEach((s, i) => {
    const done: FeatureRow[] = [];
    p.push(s, done);
    for (const _ of done) leftAt.push(i);
    rows.push(...done);
  });
  const done: FeatureRow[] = [];
  p.flush(done);
  for (const _ of done) leftAt.push(samples.length);
  rows.push(...done);
  return { rows, leftAt };
}

describe('RowPipeline', () => {
  it('labels, gates and releases a 6-row sequence with a missing row (by hand)', () => {
    const options = resolveFeatureOptions({
      ...ONE_LEVEL,
      horizonsMs: [1000, 2000],
      gateInput: 'obi',
      gateEntry: 0.5,
      gateExit: 0.2,
      gatePersistSamples: 2,
    });
    const { rows, leftAt } = runAll(options, [
      sample(0, [100, 3, 101, 1]), // obi 0.5, mid 100.5
      sample(1000, [101, 4, 102, 1]), // obi 0.6, mid 101.5
      sample(2000, null),
      sample(3000, [102, 4, 103, 1]),
      sample(4000, [103, 4, 104, 1]),
      sample(5000, [104, 1, 105, 4]), // obi −0.6
    ]);
    expect(rows.map((r) => r.time_ms)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(leftAt).toEqual([2, 3, 4, 5, 6, 6]);
    expect(rows.map((r) => r['gate'])).toEqual([0, 1, 0, 0, 1, 0]);
    expect(rows.map((r) => r['gate_age'])).toEqual([0, 0, 0, 1, 0, 0]);
    expect(rows.map((r) => r['ret_fwd_1s'])).toEqual([
      ln(101.5) - ln(100.5),
      NA,
      NA,
      ln(103.5) - ln(102.5),
      ln(104.5) - ln(103.5),
      NA,
    ]);
    expect(rows.map((r) => r['ret_fwd_2s'])).toEqual([NA, NA, NA, ln(104.5) - ln(102.5), NA, NA]);
    expect(rows.map((r) => r.mid_ret_fwd)).toEqual([
      ln(101.5) - ln(100.5),
      NA,
      NA,
      ln(103.5) - ln(102.5),
      ln(104.5) - ln(103.5),
      NA,
    ]);
    // The predictor is still warming up (it needs 50 labels): no p_up yet.
    expect(rows.every((r) => Number.isNaN(r['p_up'] as number))).toBe(true);
    expect(Object.keys(rows[0]!).sort()).toEqual(featureColumns(options).sort());
  });

  it('labels from the weighted mid when asked', () => {
    const options = resolveFeatureOptions({ ...ONE_LEVEL, horizonsMs: [1000], labelPrice: 'weighted_mid' });
    const { rows } = runAll(options, [sample(0, [100, 3, 101, 1]), sample(1000, [100, 1, 101, 3])]);
    // Weighted mids 100.75 and 100.25; the plain mid did not move.
    expect(rows[0]!['ret_fwd_1s']).toBe(ln(100.25) - ln(100.75));
    expect(rows[0]!.mid_ret_fwd).toBe(0);
  });

  it('adds trade-flow imbalance and VPIN from trades fed between samples', () => {
    const options = resolveFeatureOptions({
      ...ONE_LEVEL,
      trades: true,
      tfiWindowSec: 2,
      vpinBucketVolume: 5,
      vpinBuckets: 1,
    });
    const p = new RowPipeline(options);
    const done: FeatureRow[] = [];
    p.trade(trade(100, 100.5, 3, false));
    p.trade(trade(600, 100.5, 1, true));
    const r0 = p.push(sample(1000, [100, 1, 101, 1]), done);
    expect(r0['tfi']).toBe(0.5);
    expect(r0['vpin']).toBeNaN();
    p.trade(trade(2500, 100.5, 2, true));
    const r1 = p.push(sample(3000, [100, 1, 101, 1]), done);
    // Window (1 s, 3 s]: only the sell of 2.
    expect(r1['tfi']).toBe(-1);
    // Bars: 4 at 0 s (half buys, no previous price), 2 at 2 s (unchanged price, σ 0: half): one bucket of 5
    // split evenly → VPIN 0.
    expect(r1['vpin']).toBe(0);
    expect(featureColumns(options)).toContain('tfi');
  });

  it('learns a planted relation walk-forward: the book imbalance at t sets the next move 80% of the time', () => {
    const options = resolveFeatureOptions({ ...ONE_LEVEL, horizonsMs: [1000, 2000], predictHorizonMs: 1000 });
    let state = 12345;
    const rand = (): number => (state = (state * 16807) % 2147483647) / 2147483647;
    let bid = 1000;
    let nextMove = 0;
    const samples: BookSample[] = [];
    for (let i = 0; i < 1500; i++) {
      bid += nextMove;
      const bidQty = 1 + Math.floor(rand() * 9);
      const askQty = 1 + Math.floor(rand() * 9);
      nextMove = (rand() < 0.8 ? 1 : -1) * Math.sign(bidQty - askQty);
      samples.push(sample(i * 1000, [bid, bidQty, bid + 1, askQty]));
    }
    const m = new PredictorMetrics('1s', 'ret_fwd_1s');
    for (const r of runAll(options, samples).rows) m.update(r['p_up'] as number, r['ret_fwd_1s'] as number);
    const scores = m.result();
    expect(scores.evaluated).toBeGreaterThan(1000);
    expect(scores.accuracy).toBeGreaterThan(0.75);
    expect(scores.auc).toBeGreaterThan(0.75);
    expect(scores.log_loss_skill).toBeGreaterThan(0.1);
  });

  it('is causal: a prefix of the input gives the same non-label columns (p_up and gate included)', () => {
    const step = fc.record({
      dtMs: fc.integer({ min: 900, max: 1100 }),
      missing: fc.integer({ min: 0, max: 19 }).map((v) => v === 0),
      bidQty: fc.integer({ min: 1, max: 9 }),
      askQty: fc.integer({ min: 1, max: 9 }),
      move: fc.integer({ min: -2, max: 2 }),
    });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 60, maxLength: 160 }),
        fc.integer({ min: 1, max: 159 }),
        (steps, cutAt) => {
          const options = resolveFeatureOptions({
            ...ONE_LEVEL,
            horizonsMs: [1000, 3000],
            predictHorizonMs: 1000,
            gateWindow: 30,
            gatePersistSamples: 2,
          });
          let t = 0;
          let bid = 1000;
          const samples = steps.map((s) => {
            t += s.dtMs;
            bid += s.move;
            return sample(t, s.missing ? null : [bid, s.bidQty, bid + 1, s.askQty]);
          });
          const full = runAll(options, samples).rows;
          const cut = Math.min(cutAt, samples.length);
          const prefix = runAll(options, samples.slice(0, cut)).rows;
          const labels = new Set(['mid_ret_fwd', 'ret_fwd_1s', 'ret_fwd_3s']);
          const strip = (r: FeatureRow): Record<string, unknown> =>
            Object.fromEntries(Object.entries(r).filter(([k]) => !labels.has(k)));
          expect(prefix.map(strip)).toEqual(full.slice(0, cut).map(strip));
          // The predictor did predict on these runs (walk-forward, from labels known at the time).
          if (samples.length > 120) expect(full.some((r) => Number.isFinite(r['p_up']))).toBe(true);
          // Labels equal a naive recomputation from the rows' own mids and times (tolerance 500 ms).
          full.forEach((r, i) => {
            for (const [h, column] of [
              [1000, 'ret_fwd_1s'],
              [3000, 'ret_fwd_3s'],
            ] as const) {
              let want = NA;
              const target = full.findIndex((x, k) => k > i && x.time_ms >= r.time_ms + h - 500);
              if (target >= 0 && full[target]!.time_ms <= r.time_ms + h + 500) {
                const between = full.slice(i, target + 1);
                if (between.every((x) => Number.isFinite(x.mid))) want = ln(full[target]!.mid) - ln(r.mid);
              }
              expect(r[column]).toBe(want);
            }
          });
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('the analysis columns on the seed fixture', () => {
  it('leave every seed column unchanged', async () => {
    const base = resolveFeatureOptions({ levels: 20, intervalSec: 1.0, ema: 30 });
    const full = resolveFeatureOptions({
      levels: 20,
      intervalSec: 1.0,
      ema: 30,
      horizonsMs: [1000, 5000, 30_000, 60_000],
      trades: true,
    });
    const run = async (o: FeatureOptions): Promise<FeatureRow[]> => {
      const rows: FeatureRow[] = [];
      const events = readRecording(new URL('../../fixtures/seed/snapshots.ndjson', import.meta.url).pathname);
      for await (const row of computeRows(sampleSnapshots(events, 20), o)) rows.push(row);
      return rows;
    };
    const a = await run(base);
    const b = await run(full);
    expect(b).toHaveLength(a.length);
    const pick = (r: FeatureRow): unknown[] => SEED_COLUMNS.map((c) => r[c]);
    expect(b.map(pick)).toEqual(a.map(pick));
    expect(Object.keys(b[0]!).sort()).toEqual(featureColumns(full).sort());
    expect(featureColumns(full).slice(0, SEED_COLUMNS.length)).toEqual([...SEED_COLUMNS]);
  });
});
