/** `obi replay FILE`: the CSV/JSON deliverables from a recording instead of a live source. */
import type { Command } from 'commander';
import { computeRows } from '../pipeline/compute-rows.js';
import { runToFiles } from '../pipeline/run-to-files.js';
import { sampleSnapshots } from '../pipeline/snapshot-sampler.js';
import { featureColumns } from '../core/row/column-schema.js';
import { viewDepth } from '../options.js';
import { VERSION } from '../version.js';
import {
  addFeatureFlags,
  addOutputFlags,
  DEFAULT_CSV,
  DEFAULT_JSON,
  featureOptionsFrom,
  type FeatureFlags,
  type OutputFlags,
} from './common-flags.js';
import { openSinks, messageStream } from './output-setup.js';
import { summaryLines } from './summary-print.js';
import { openReplaySource } from './replay-source.js';
import { formatMalformedExamples } from '../io/line-accounting.js';

type ReplayFlags = FeatureFlags & OutputFlags & { symbol?: string[] };

export function registerReplay(program: Command): void {
  const cmd = program
    .command('replay')
    .argument('<file>', 'an obi recording (.ndjson[.gz] or a directory of them) or a tardis.dev CSV')
    .description('compute the features and metrics from a recording');
  addFeatureFlags(cmd, undefined);
  addOutputFlags(cmd, { csv: DEFAULT_CSV, json: DEFAULT_JSON });
  cmd.action(async (file: string, flags: ReplayFlags) => {
    await replay(file, flags);
  });
}

async function replay(file: string, flags: ReplayFlags): Promise<void> {
  const out = messageStream(flags);
  const source = await openReplaySource(file, flags.interval);
  const intervalSec = flags.interval ?? source.nominalIntervalSec ?? 1.0;
  const features = featureOptionsFrom(flags, intervalSec);
  const columns = featureColumns(features);
  const sinks = await openSinks(flags, columns);
  const rows = computeRows(sampleSnapshots(source.events, viewDepth(features)), features);
  const result = await runToFiles({
    rows,
    sinks,
    jsonPath: flags.json,
    symbols: [],
    facts: { emaSpan: features.ema, levels: features.levels, intervalSec, durationMin: null },
    config: {
      symbol: source.symbols()[0] ?? null,
      base_url: null,
      levels: features.levels,
      interval: intervalSec,
      minutes: null,
      depth_limit: null,
      ema: features.ema,
      out_csv: flags.csv,
      out_json: flags.json,
      timeout: null,
      verify_ssl: null,
      command: 'replay',
      input: file,
      input_format: source.format,
      obi_levels: features.obiLevels,
      decay_alpha: features.decayAlpha,
      ofi_levels: features.ofiLevels,
      extreme_quantile: features.extremeQuantile,
      obi_version: VERSION,
    },
  });
  const stats = source.stats();
  if (!flags.quiet) {
    for (const line of summaryLines(result, flags)) out.write(line + '\n');
    if (stats.malformed > 0) {
      out.write(
        `[WARN] skipped ${stats.malformed} malformed line(s) of ${stats.lines}: ` +
          `${formatMalformedExamples(stats.malformedExamples)}\n`,
      );
    }
  }
}
