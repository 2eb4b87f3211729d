/**
 * `obi replay FILE`: the CSV/JSON deliverables from a recording instead of a live source. A websocket
 * recording made by `obi collect` replays through the same diff sampler on the same tick grid (from its
 * header), so it gives the live run's CSV byte for byte; tardis.dev `incremental_book_L2` goes the same way.
 */
import { Option, type Command } from 'commander';
import { computeRows } from '../pipeline/compute-rows.js';
import { runToFiles } from '../pipeline/run-to-files.js';
import { sampleSnapshots } from '../pipeline/snapshot-sampler.js';
import { resampleToGrid } from '../pipeline/resample.js';
import { sampleDiffs, type DiffSamplerOptions, type SampleMode } from '../pipeline/diff-sampler.js';
import type { BookSample } from '../core/book-sample.js';
import type { Trade } from '../events.js';
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
import { openReplaySource, type ReplaySource } from './replay-source.js';
import { formatMalformedExamples } from '../io/line-accounting.js';
import { openRunExtras } from './run-extras.js';

type ReplayFlags = FeatureFlags & OutputFlags & { symbol?: string[]; sample?: SampleMode };

export function registerReplay(program: Command): void {
  const cmd = program
    .command('replay')
    .argument('<file>', 'an obi recording (.ndjson[.gz] or a directory of them) or a tardis.dev CSV')
    .description('compute the features and metrics from a recording')
    .addOption(
      new Option(
        '--sample <how>',
        'diff sources: a row per symbol every --interval (cadence) or per diff event (event); default: as recorded',
      ).choices(['cadence', 'event']),
    );
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
  const samples: AsyncIterable<BookSample | Trade> =
    source.sampler === 'diffs'
      ? sampleDiffs(source.events, diffSamplerOptions(source, flags.sample, intervalSec, viewDepth(features)))
      : source.format === 'tardis-book-snapshot' && flags.interval !== undefined
        ? // tardis rows come at the venue's pace: resample them as-of a fixed grid when --interval is given
          resampleToGrid(
            sampleSnapshots(source.events, viewDepth(features)),
            intervalSec * 1000,
            viewDepth(features),
          )
        : sampleSnapshots(source.events, viewDepth(features));
  const extras = await openRunExtras({ ...flags, dashboard: false }, columns, features);
  const rows = computeRows(samples, features);
  const run = runToFiles({
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
      ...(source.sampler === 'diffs' ? { sample: flags.sample ?? recordedSample(source) ?? 'cadence' } : {}),
      obi_levels: features.obiLevels,
      decay_alpha: features.decayAlpha,
      ofi_levels: features.ofiLevels,
      extreme_quantile: features.extremeQuantile,
      obi_version: VERSION,
    },
  });
  // The report is written from the finished files, so it exists after a failed replay too.
  const result = await run.finally(() => extras.finish(out).finally(() => extras.close()));
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

function recordedSample(source: ReplaySource): SampleMode | null {
  const sample = source.recordedConfig?.['sample'];
  return sample === 'cadence' || sample === 'event' ? sample : null;
}

function finiteOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Returns the diff sampler's options for a replay: the recorded run's tick grid, symbols and sampling when
 * the replay keeps its interval (so rows come out as they did live), else a grid aligned to the interval.
 */
export function diffSamplerOptions(
  source: ReplaySource,
  sample: SampleMode | undefined,
  intervalSec: number,
  depth: number,
): DiffSamplerOptions {
  const recorded = source.recordedConfig;
  const intervalMs = intervalSec * 1000;
  const sameGrid = recorded !== null && recorded['interval'] === intervalSec;
  const start = sameGrid ? finiteOrNull(recorded['tick_start_ms']) : null;
  const end = sameGrid ? finiteOrNull(recorded['tick_end_ms']) : null;
  const symbols = recorded?.['symbols'];
  return {
    sample: sample ?? recordedSample(source) ?? 'cadence',
    intervalMs,
    ...(start !== null ? { tickStartMs: start } : {}),
    ...(end !== null ? { tickEndMs: end } : {}),
    ...(Array.isArray(symbols) && symbols.every((x) => typeof x === 'string')
      ? { symbols: symbols as string[] }
      : {}),
    depth,
    ...(source.venue !== null ? { venue: source.venue } : {}),
  };
}
