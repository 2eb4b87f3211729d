/**
 * The metrics JSON rebuilt from a feature CSV alone: its rows, streamed back (io/feature-csv.ts), go through
 * the same per-symbol summaries and the same document assembly as a live run (runToFiles with no sinks), so
 * the JSON of a CSV equals the JSON its run wrote. Used by `obi analyze` and by `obi collect --resume`, whose
 * JSON covers every run that appended to the CSV.
 */
import type { FeatureRow } from '../core/row/feature-row.js';
import type { RunFacts } from '../core/metrics/run-summary.js';
import { runToFiles, type RunResult } from '../pipeline/run-to-files.js';
import { readFeatureCsv, type FeatureCsvStats } from '../io/feature-csv.js';
import { resolveFeatureOptions, type FeatureOptions } from '../options.js';

/** Options of `rebuildMetrics`. */
export interface RebuildMetricsOptions {
  readonly csvPath: string;
  /** Where to write the JSON; null to only compute it. */
  readonly jsonPath: string | null;
  /** The options the rows were computed with (`features` of runToFiles), or a function of the CSV's columns. */
  readonly features: FeatureOptions | ((columns: readonly string[]) => FeatureOptions);
  /** The run's facts; `intervalSec: null` infers it from the rows' times. */
  readonly facts: Omit<RunFacts, 'intervalSec'> & { readonly intervalSec: number | null };
  /** The document's `config`, or a function of the options in use (its `interval` is filled in when inferred). */
  readonly config:
    Readonly<Record<string, unknown>> | ((features: FeatureOptions) => Readonly<Record<string, unknown>>);
  /** Symbols in the user's order: the first one's metrics are the top-level `metrics`. */
  readonly symbols: readonly string[];
  /** An error that ended the run: recorded as `ended_by_error` and rethrown after the JSON is written. */
  readonly failure?: { readonly error: unknown };
}

/** What a rebuild read and computed. */
export interface RebuiltMetrics {
  readonly result: RunResult;
  readonly stats: FeatureCsvStats;
  readonly columns: readonly string[];
  readonly intervalSec: number;
}

/** Rows whose times are looked at to infer the sampling interval (bounded memory). */
const INTERVAL_PEEK_ROWS = 1000;

/**
 * Reads the CSV at `csvPath` and writes its metrics JSON. Throws what reading the CSV throws (ConfigError,
 * ParseError), an OutputError when the JSON cannot be written, and `failure.error` after writing it.
 */
export async function rebuildMetrics(o: RebuildMetricsOptions): Promise<RebuiltMetrics> {
  const csv = await readFeatureCsv(o.csvPath);
  const iterator = csv.rows[Symbol.asyncIterator]();
  const head: FeatureRow[] = [];
  let ended = false;
  while (head.length < INTERVAL_PEEK_ROWS) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    head.push(next.value);
  }
  const intervalSec = o.facts.intervalSec ?? inferIntervalSec(head) ?? 1;
  const features =
    typeof o.features === 'function' ? { ...o.features(csv.columns), intervalSec } : o.features;
  const failure = o.failure;
  const rows = (async function* (): AsyncGenerator<FeatureRow> {
    yield* head;
    if (!ended) {
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) break;
        yield next.value;
      }
    }
    // runToFiles records an error of its rows as `ended_by_error` and rethrows it after the JSON is written.
    if (failure !== undefined) throw failure.error;
  })();
  const result = await runToFiles({
    rows,
    sinks: [],
    jsonPath: o.jsonPath,
    symbols: o.symbols,
    facts: { ...o.facts, intervalSec },
    config: {
      ...(typeof o.config === 'function' ? o.config(features) : o.config),
      ...(o.facts.intervalSec === null ? { interval: intervalSec } : {}),
    },
    features,
  });
  return { result, stats: csv.stats, columns: csv.columns, intervalSec };
}

/**
 * Returns the sampling interval of the first symbol's rows, in seconds, or null: the mean of the steps near
 * their median (the median ignores gaps, the mean averages out receive-time jitter), in whole milliseconds.
 */
export function inferIntervalSec(rows: readonly FeatureRow[]): number | null {
  const first = rows[0]?.symbol;
  const times = rows.filter((r) => r.symbol === first).map((r) => r.time_ms);
  const steps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const step = (times[i] as number) - (times[i - 1] as number);
    if (step > 0) steps.push(step);
  }
  if (steps.length === 0) return null;
  const sorted = [...steps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const near = steps.filter((s) => s >= median / 2 && s <= median * 1.5);
  const mean = near.reduce((a, b) => a + b, 0) / near.length;
  return Math.max(1, Math.round(mean)) / 1000;
}

/** Overrides of what a CSV cannot tell about its run. */
export interface CsvFeatureOverrides {
  readonly levels?: number;
  readonly ema?: number;
  readonly leadLagMax?: number;
  readonly predictHorizonMs?: number;
}

/**
 * Returns the feature options a CSV's columns imply: `obi_l<k>` depths, `ofi_l<m>` levels, `ret_fwd_<h>`
 * horizons, trade features when `tfi` and `vpin` are there; the rest from `overrides` or the defaults.
 * Throws a ConfigError when the overrides contradict the columns (a predictor horizon with no label column).
 */
export function featureOptionsFromColumns(
  columns: readonly string[],
  overrides: CsvFeatureOverrides = {},
): FeatureOptions {
  const obiLevels = columns.flatMap((c) => {
    const m = /^obi_l(\d+)$/.exec(c);
    return m === null ? [] : [Number(m[1])];
  });
  const ofiLevels = columns.filter((c) => /^ofi_l\d+$/.test(c)).length;
  const horizonsMs = columns.flatMap((c) => {
    const m = /^ret_fwd_(\d+)(ms|s)$/.exec(c);
    return m === null ? [] : [Number(m[1]) * (m[2] === 's' ? 1000 : 1)];
  });
  return resolveFeatureOptions({
    ...(obiLevels.length > 0 ? { obiLevels } : {}),
    ...(ofiLevels > 0 ? { ofiLevels } : {}),
    horizonsMs,
    trades: columns.includes('tfi') && columns.includes('vpin'),
    ...(overrides.levels !== undefined ? { levels: overrides.levels } : {}),
    ...(overrides.ema !== undefined ? { ema: overrides.ema } : {}),
    ...(overrides.leadLagMax !== undefined ? { leadLagMax: overrides.leadLagMax } : {}),
    ...(overrides.predictHorizonMs !== undefined ? { predictHorizonMs: overrides.predictHorizonMs } : {}),
  });
}
