/**
 * `obi replay FILE`: the CSV/JSON deliverables from a recording instead of a live source. A websocket
 * recording made by `obi collect` replays through the same diff sampler on the same tick grid (from its
 * header), so it gives the live run's CSV byte for byte; tardis.dev `incremental_book_L2` goes the same way.
 */
import { Option, type Command } from 'commander';
import { computeRows } from '../pipeline/compute-rows.js';
import { runToFiles, type RunResult } from '../pipeline/run-to-files.js';
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
  type FeatureFlags,
  type OutputFlags,
} from './common-flags.js';
import { parsePath } from './flags.js';
import { openSinks, messageStream } from './output-setup.js';
import { summaryLines } from './summary-print.js';
import { openReplaySource, type ReplayRun, type ReplaySource } from './replay-source.js';
import {
  describeSettings,
  replaySettings,
  type ReplayCommandLine,
  type ReplaySettings,
} from './replay-settings.js';
import type { FeatureRow } from '../core/row/feature-row.js';
import { ConfigError } from '../errors.js';
import { formatMalformedExamples } from '../io/line-accounting.js';
import { openRunExtras } from './run-extras.js';

type ReplayFlags = FeatureFlags & OutputFlags & { symbol?: string[]; sample?: SampleMode };

export function registerReplay(program: Command): void {
  const cmd = program
    .command('replay')
    .argument(
      '<file>',
      'an obi recording (.ndjson[.gz] or a directory of them) or a tardis.dev CSV',
      parsePath,
    )
    .description(
      "compute the features and metrics from a recording (with the recorded run's flags unless given)",
    )
    .addOption(
      new Option(
        '--sample <how>',
        'diff sources: a row per symbol every --interval (cadence) or per diff event (event); default: as recorded',
      ).choices(['cadence', 'event']),
    );
  addFeatureFlags(cmd, undefined);
  addOutputFlags(cmd, { csv: DEFAULT_CSV, json: DEFAULT_JSON });
  cmd.action(async (file: string, flags: ReplayFlags, command: Command) => {
    await replay(file, {
      flags,
      given: (key) => command.getOptionValueSource(key) === 'cli',
    });
  });
}

/** Runs `obi replay` on `file` with the command line `cli` (flags and which of them were typed). */
export async function replay(
  file: string,
  cli: ReplayCommandLine & { readonly flags: ReplayFlags },
): Promise<RunResult> {
  const flags = cli.flags;
  const out = messageStream(flags);
  const quiet = flags.quiet === true;
  const source = await openReplaySource(file);
  const first = replaySettings(source.first, cli, file);
  const features = first.features;
  const intervalSec = first.intervalSec;
  const line = describeSettings(first, "[INFO] replay: the recording's settings");
  if (!quiet && line !== null) out.write(line + '\n');
  const columns = featureColumns(features);
  const sinks = await openSinks(flags, columns);
  const extras = await openRunExtras({ ...flags, dashboard: false }, columns, features);
  const rows = replayRows(source, first, flags.interval !== undefined, (run, index) => {
    const settings = replaySettings(run, cli, file);
    const other = featureColumns(settings.features);
    if (other.join(',') !== columns.join(',')) {
      throw new ConfigError(
        `${file}: run ${index + 1} of this recording (resumed${startedAt(run)}) has other columns than run 1 ` +
          '(other --obi-levels, --ofi-levels, --horizons or --trades); give those flags on the command line ' +
          'so every run uses the same, or replay its files apart',
        'obi-levels',
      );
    }
    if (!quiet) {
      out.write(
        `[INFO] replay: run ${index + 1} of the recording (resumed${startedAt(run)}) is replayed apart, as it ` +
          "ran live: its own tick grid, features from scratch, only rows after the earlier runs' last row " +
          `of their symbol; ${describeSettings(settings, 'its settings') ?? 'no recorded settings'}\n`,
      );
    }
    return settings;
  });
  const run = runToFiles({
    rows,
    sinks,
    jsonPath: flags.json,
    symbols: [],
    features,
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
      ...(source.first.sampler === 'diffs' ? { sample: first.sample } : {}),
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
  if (!quiet) {
    for (const line of summaryLines(result, flags)) out.write(line + '\n');
    if (stats.malformed > 0) {
      out.write(
        `[WARN] skipped ${stats.malformed} malformed line(s) of ${stats.lines}: ` +
          `${formatMalformedExamples(stats.malformedExamples)}\n`,
      );
    }
  }
  return result;
}

function startedAt(run: ReplayRun): string {
  return run.createdMs === null ? '' : `, started ${new Date(run.createdMs).toISOString()}`;
}

/** Returns the samples of one run with its settings. */
function runSamples(
  run: ReplayRun,
  format: ReplaySource['format'],
  settings: ReplaySettings,
  intervalGiven: boolean,
): AsyncIterable<BookSample | Trade> {
  const depth = viewDepth(settings.features);
  if (run.sampler === 'diffs') {
    return sampleDiffs(run.events, diffSamplerOptions(run, settings.sample, settings.intervalSec, depth));
  }
  const samples = sampleSnapshots(run.events, depth);
  // tardis rows come at the venue's pace: resample them as-of a fixed grid when --interval is given
  return format === 'tardis-book-snapshot' && intervalGiven
    ? resampleToGrid(samples, settings.intervalSec * 1000, depth)
    : samples;
}

/**
 * Returns the rows of every run, each computed apart with its own settings as its live run computed them
 * (a `--resume`d run starts its features afresh), and, as `--resume` does, only the rows of a later run that
 * come after the last row of their symbol in the runs before it.
 */
async function* replayRows(
  source: ReplaySource,
  first: ReplaySettings,
  intervalGiven: boolean,
  settingsOf: (run: ReplayRun, index: number) => ReplaySettings,
): AsyncGenerator<FeatureRow> {
  const last = new Map<string, number>();
  let index = 0;
  for await (const run of source.runs) {
    const settings = index === 0 ? first : settingsOf(run, index);
    const before = new Map(last);
    const samples = runSamples(run, source.format, settings, intervalGiven);
    for await (const row of computeRows(samples, settings.features)) {
      const previous = before.get(row.symbol);
      if (previous !== undefined && !(row.time_ms > previous)) continue;
      last.set(row.symbol, row.time_ms);
      yield row;
    }
    index++;
  }
}

function finiteOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Returns the diff sampler's options for a replayed run: the recorded run's tick grid, symbols and sampling
 * when the replay keeps its interval (so rows come out as they did live), else a grid aligned to the interval.
 */
export function diffSamplerOptions(
  run: ReplayRun,
  sample: SampleMode,
  intervalSec: number,
  depth: number,
): DiffSamplerOptions {
  const recorded = run.recordedConfig;
  const intervalMs = intervalSec * 1000;
  const sameGrid = recorded !== null && recorded['interval'] === intervalSec;
  const start = sameGrid ? finiteOrNull(recorded['tick_start_ms']) : null;
  const end = sameGrid ? finiteOrNull(recorded['tick_end_ms']) : null;
  const symbols = recorded?.['symbols'];
  return {
    sample,
    intervalMs,
    ...(start !== null ? { tickStartMs: start } : {}),
    ...(end !== null ? { tickEndMs: end } : {}),
    ...(Array.isArray(symbols) && symbols.every((x) => typeof x === 'string')
      ? { symbols: symbols as string[] }
      : {}),
    depth,
    ...(run.venue !== null ? { venue: run.venue } : {}),
  };
}
