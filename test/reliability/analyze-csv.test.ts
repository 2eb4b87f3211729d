/**
 * Metrics rebuilt from a CSV alone equal the metrics the run wrote: the CSV carries every value the summaries
 * read (numbers round-trip through the CSV sink's shortest form; empty cells are the NaNs it wrote).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureColumns } from '../../src/core/row/column-schema.js';
import { CsvSink } from '../../src/io/sinks/csv-sink.js';
import { computeRows } from '../../src/pipeline/compute-rows.js';
import { runToFiles } from '../../src/pipeline/run-to-files.js';
import { sampleSnapshots } from '../../src/pipeline/snapshot-sampler.js';
import { resolveFeatureOptions, viewDepth, type FeatureOptions } from '../../src/options.js';
import { featureOptionsFromColumns, rebuildMetrics } from '../../src/cli/rebuild-metrics.js';
import { simulatedEvents } from './simulated-events.js';

interface MetricsDocument {
  config: Record<string, unknown>;
  metrics: unknown;
  metrics_by_symbol: Record<string, unknown>;
}

async function liveRun(dir: string, features: FeatureOptions, trades: boolean): Promise<MetricsDocument> {
  const symbols = ['BTCUSDT', 'ETHUSDT'];
  const csv = join(dir, 'run.csv');
  const json = join(dir, 'run.json');
  await runToFiles({
    rows: computeRows(
      sampleSnapshots(
        simulatedEvents({ seed: 3, symbols, ticks: 400, intervalMs: 250, missingEvery: 37, trades }),
        viewDepth(features),
      ),
      features,
    ),
    sinks: [await CsvSink.open(csv, featureColumns(features))],
    jsonPath: json,
    symbols,
    facts: { emaSpan: features.ema, levels: features.levels, intervalSec: 0.25, durationMin: null },
    config: { command: 'test' },
  });
  return JSON.parse(readFileSync(json, 'utf8')) as MetricsDocument;
}

describe('metrics rebuilt from the CSV alone', () => {
  for (const trades of [false, true]) {
    it(`equal the run's own metrics (${trades ? 'with' : 'without'} trade features)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'obi-analyze-'));
      const features = resolveFeatureOptions({
        intervalSec: 0.25,
        levels: 10,
        ema: 12,
        obiLevels: [1, 3, 10],
        ofiLevels: 3,
        horizonsMs: [500, 2000, 10_000],
        leadLagMax: 6,
        trades,
        vpinBuckets: 5,
      });
      const live = await liveRun(dir, features, trades);
      const rebuilt = await rebuildMetrics({
        csvPath: join(dir, 'run.csv'),
        jsonPath: join(dir, 'rebuilt.json'),
        features: (columns) => featureOptionsFromColumns(columns, { levels: 10, ema: 12, leadLagMax: 6 }),
        facts: { emaSpan: 12, levels: 10, intervalSec: null, durationMin: null },
        config: {},
        symbols: ['BTCUSDT', 'ETHUSDT'],
      });
      expect(rebuilt.intervalSec).toBe(0.25);
      expect(rebuilt.stats.malformed).toBe(0);
      const written = JSON.parse(readFileSync(join(dir, 'rebuilt.json'), 'utf8')) as MetricsDocument;
      expect(written.metrics_by_symbol).toEqual(live.metrics_by_symbol);
      expect(written.metrics).toEqual(live.metrics);
      // The analysis settings the CSV implies are the run's.
      for (const key of ['horizons', 'predict_horizon', 'trades', 'lead_lag_max']) {
        expect(written.config[key], key).toEqual(live.config[key]);
      }
    });
  }
});
