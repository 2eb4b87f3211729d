/**
 * `obi analyze FILE.csv`: the metrics JSON rebuilt from a feature CSV alone — after a run was killed before
 * it could write its JSON, or to recompute the metrics of an older or edited CSV. Streamed: memory stays
 * bounded whatever the file's length. What the CSV cannot tell (L, the EWMA span, the interval when rows are
 * irregular) comes from flags; horizons, OBI depths, OFI levels and trade features come from its columns.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { OutputError } from '../errors.js';
import { formatMalformedExamples } from '../io/line-accounting.js';
import { VERSION } from '../version.js';
import { parseDurationMs } from './common-flags.js';
import { parseIntervalSec, parseNonNegativeNumber, parsePath, parsePositiveInt } from './flags.js';
import { featureOptionsFromColumns, rebuildMetrics } from './rebuild-metrics.js';
import { summaryLines } from './summary-print.js';

interface AnalyzeFlags {
  json?: string;
  interval?: number;
  levels: number;
  ema: number;
  leadLag: number;
  predictHorizon?: number;
  minutes?: number;
  force?: boolean;
  quiet?: boolean;
}

/** Returns the default metrics path of a CSV: `run.csv` → `run_metrics.json` (the collect defaults pair up). */
export function defaultMetricsPath(csvPath: string): string {
  return csvPath.replace(/\.csv(\.gz)?$/i, '') + '_metrics.json';
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .argument(
      '<file.csv>',
      'a feature CSV written by obi (plain or .gz), or the original script’s CSV',
      parsePath,
    )
    .description('rebuild the metrics JSON from a feature CSV alone (e.g. after a run was killed)')
    .option('--json <path>', 'where to write the metrics JSON (default: <file>_metrics.json)', parsePath)
    .option(
      '--interval <sec>',
      'the sampling interval (default: inferred from the rows’ times)',
      parseIntervalSec,
    )
    .option(
      '--levels <n>',
      'the run’s --levels (reported as a fact; the CSV does not store it)',
      parsePositiveInt,
      20,
    )
    .option('--ema <span>', 'the run’s --ema (reported as a fact)', parsePositiveInt, 30)
    .option(
      '--lead-lag <K>',
      'lead/lag profile over lags -K..K samples',
      (v) => Math.trunc(parseNonNegativeNumber(v)),
      10,
    )
    .option(
      '--predict-horizon <h>',
      'the horizon the predictor learned (default: the second ret_fwd_* column)',
      parseDurationMs,
    )
    .option('--minutes <m>', 'the run’s --minutes (default: the span of the rows)', parseNonNegativeNumber)
    .option('--force', 'overwrite an existing metrics JSON')
    .option('--quiet', 'print only errors')
    .action(async (file: string, flags: AnalyzeFlags) => {
      await analyze(file, flags);
    });
}

async function analyze(file: string, flags: AnalyzeFlags): Promise<void> {
  const json = flags.json ?? defaultMetricsPath(file);
  if (flags.force !== true && existsSync(json)) {
    throw new OutputError(`${json} already exists; pass --force to overwrite it, or choose --json`, json);
  }
  const overrides = {
    levels: flags.levels,
    ema: flags.ema,
    leadLagMax: flags.leadLag,
    ...(flags.predictHorizon !== undefined ? { predictHorizonMs: flags.predictHorizon } : {}),
  };
  const rebuilt = await rebuildMetrics({
    csvPath: file,
    jsonPath: json,
    features: (columns) => featureOptionsFromColumns(columns, overrides),
    facts: {
      emaSpan: flags.ema,
      levels: flags.levels,
      intervalSec: flags.interval ?? null,
      durationMin: flags.minutes ?? null,
    },
    config: (features) => ({
      levels: flags.levels,
      interval: flags.interval ?? null,
      minutes: flags.minutes ?? null,
      ema: flags.ema,
      out_json: json,
      command: 'analyze',
      input: file,
      obi_levels: features.obiLevels,
      ofi_levels: features.ofiLevels,
      obi_version: VERSION,
    }),
    symbols: [],
  });
  if (flags.quiet === true) return;
  const out = process.stdout;
  const { result, stats } = rebuilt;
  const symbols = [...result.metricsBySymbol.keys()];
  out.write(
    `[OK] Read ${file}: ${result.rows} rows of ${symbols.length} symbol${symbols.length === 1 ? '' : 's'}` +
      `${flags.interval === undefined ? `, interval ${rebuilt.intervalSec} s (inferred)` : ''}\n`,
  );
  // The summary's first line names the CSV as written; here it was read.
  for (const line of summaryLines(result, { csv: file, json }).slice(1)) out.write(line + '\n');
  if (stats.tornBytes > 0) {
    out.write(
      `[WARN] ignored a torn last line (${stats.tornBytes} bytes): the run writing ${file} was killed mid-write\n`,
    );
  }
  if (stats.malformed > 0) {
    out.write(
      `[WARN] skipped ${stats.malformed} malformed line(s): ${formatMalformedExamples(stats.malformedExamples)}\n`,
    );
  }
}
