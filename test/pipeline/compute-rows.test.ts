import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BookSample } from '../../src/core/book-sample.js';
import { createDepthView } from '../../src/core/book/depth-view.js';
import type { FeatureRow } from '../../src/core/row/feature-row.js';
import { RunSummary } from '../../src/core/metrics/run-summary.js';
import type { Trade } from '../../src/events.js';
import { readRecording } from '../../src/io/replay.js';
import { analysisOptions, resolveFeatureOptions } from '../../src/options.js';
import { computeRows, isTrade } from '../../src/pipeline/compute-rows.js';
import { runToFiles } from '../../src/pipeline/run-to-files.js';
import { sampleSnapshots } from '../../src/pipeline/snapshot-sampler.js';

function sample(symbol: string, timeMs: number, bidQty: number, askQty: number): BookSample {
  const view = createDepthView(1);
  view.bidPrices[0] = 100;
  view.bidQtys[0] = bidQty;
  view.askPrices[0] = 101;
  view.askQtys[0] = askQty;
  view.bidCount = 1;
  view.askCount = 1;
  return {
    symbol,
    timeMs,
    status: 'ok',
    reason: '',
    lastUpdateId: null,
    exchangeTimeMs: null,
    receiveTimeMs: timeMs,
    requestTimeMs: null,
    view,
    crossed: false,
    locked: false,
  };
}

function trade(symbol: string, localTimeMs: number, qty: number, buyerIsMaker: boolean): Trade {
  return {
    type: 'trade',
    exchange: 'test',
    market: 'spot',
    symbol,
    tradeId: localTimeMs,
    price: 100.5,
    qty,
    buyerIsMaker,
    exchangeTimeMs: localTimeMs,
    localTimeMs,
  };
}

async function* stream<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function collect(rows: AsyncIterable<FeatureRow>): Promise<FeatureRow[]> {
  const out: FeatureRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

const ONE_LEVEL = { levels: 1, obiLevels: [1], ofiLevels: 1, intervalSec: 1 };

describe('computeRows with trades in the stream', () => {
  it('routes each trade to its symbol before the next sample, and ignores trades when they are off', async () => {
    const input = [
      trade('AAA', 100, 2, false),
      trade('BBB', 200, 1, true),
      sample('AAA', 1000, 1, 1),
      sample('BBB', 1000, 1, 1),
      trade('AAA', 1500, 2, true),
      sample('AAA', 2000, 1, 1),
      sample('BBB', 2000, 1, 1),
    ];
    expect(input.map(isTrade)).toEqual([true, true, false, false, true, false, false]);
    const on = await collect(
      computeRows(stream(input), resolveFeatureOptions({ ...ONE_LEVEL, trades: true })),
    );
    const tfi = (symbol: string): unknown[] => on.filter((r) => r.symbol === symbol).map((r) => r['tfi']);
    expect(tfi('AAA')).toEqual([1, 0]);
    expect(tfi('BBB')).toEqual([-1, -1]);
    const off = await collect(computeRows(stream(input), resolveFeatureOptions(ONE_LEVEL)));
    expect(off).toHaveLength(4);
    expect(off[0]!['tfi']).toBeUndefined();
  });

  it('carries its options, so runToFiles adds the analysis metrics and settings to the JSON', async () => {
    const features = resolveFeatureOptions({ levels: 20, intervalSec: 1, ema: 30, horizonsMs: [1000, 5000] });
    const events = readRecording(new URL('../fixtures/seed/snapshots.ndjson', import.meta.url).pathname);
    const rows = computeRows(sampleSnapshots(events, 20), features);
    expect(rows.features).toBe(features);
    const json = join(mkdtempSync(join(tmpdir(), 'obi-analysis-')), 'metrics.json');
    const result = await runToFiles({
      rows,
      sinks: [],
      jsonPath: json,
      config: { levels: 20 },
      facts: { emaSpan: 30, levels: 20, intervalSec: 1, durationMin: null },
      symbols: ['BTCUSDT'],
    });
    const m = result.metricsBySymbol.get('BTCUSDT')!;
    // The lead/lag profile's lags 0 and 1 on obi are the seed's two correlations, exactly.
    const obi = m.lead_lag!.signals['obi']!;
    expect(obi.find((l) => l.lag === 0)!.pearson).toBe(m.corr_obi_midret);
    expect(obi.find((l) => l.lag === 1)!.pearson).toBe(m.corr_obi_lead_midret);
    expect(Object.keys(m.horizons!)).toEqual(['1s', '5s']);
    expect(m.predictor!.horizon).toBe('5s');
    expect(m.gate!.rows).toBe(400);
    const written = JSON.parse(readFileSync(json, 'utf8')) as {
      config: Record<string, unknown>;
      metrics: Record<string, unknown>;
    };
    expect(written.config['levels']).toBe(20);
    expect(written.config['horizons']).toEqual(['1s', '5s']);
    expect(written.config['predict_horizon']).toBe('5s');
    expect(Object.keys(written.metrics).slice(0, 10)).toEqual([
      'samples',
      'obi_mean',
      'obi_p90_abs',
      'obi_pw_mean',
      'ema_span',
      'levels',
      'interval_sec',
      'duration_min',
      'corr_obi_midret',
      'corr_obi_lead_midret',
    ]);

    // The same metrics from a RunSummary fed by hand.
    const again = await collect(
      computeRows(
        sampleSnapshots(
          readRecording(new URL('../fixtures/seed/snapshots.ndjson', import.meta.url).pathname),
          20,
        ),
        features,
      ),
    );
    const summary = new RunSummary(
      'BTCUSDT',
      { emaSpan: 30, levels: 20, intervalSec: 1, durationMin: null },
      analysisOptions(features),
    );
    for (const r of again) summary.add(r);
    expect(summary.result().horizons).toEqual(m.horizons);
  });
});
