/**
 * The last stage: rows → sinks (CSV streamed as rows are produced, optional NDJSON), metrics accumulated
 * per symbol and written as the metrics JSON when the run ends — also when it ends by an error or a signal,
 * so an interrupted run still leaves valid files.
 */
import type { FeatureRow } from '../core/row/feature-row.js';
import { RunSummary, type RunFacts, type RunMetrics } from '../core/metrics/run-summary.js';
import type { RowSink } from '../io/sinks/row-sink.js';
import { writeMetricsJson } from '../io/sinks/metrics-json.js';
import { analysisConfig, analysisOptions, type FeatureOptions } from '../options.js';
import type { FeatureRowStream } from './compute-rows.js';

/**
 * Bumped when a key changes meaning or moves; adding keys does not bump it. The schema is documented in
 * docs/metrics.md.
 */
export const METRICS_SCHEMA_VERSION = 1;

export interface RunToFilesOptions {
  readonly rows: AsyncIterable<FeatureRow>;
  readonly sinks: readonly RowSink[];
  /** Where the metrics JSON goes; null to skip it. */
  readonly jsonPath: string | null;
  /** The `config` object of the metrics JSON (the seed's keys plus obi's). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly facts: RunFacts;
  /** Symbols in the order the user gave them: the first one's metrics are the top-level `metrics`. */
  readonly symbols: readonly string[];
  /**
   * The options the rows were computed with: they turn on the analysis metrics (lead/lag, horizons, gate,
   * predictor) and add the analysis settings to `config`. Defaults to the options `computeRows` attached to
   * its stream; without either, only the base metrics are computed.
   */
  readonly features?: FeatureOptions;
  /** Called after each row is written (progress lines). */
  readonly onRow?: (row: FeatureRow, rowsWritten: number) => void;
}

export interface RunResult {
  readonly rows: number;
  readonly metricsBySymbol: ReadonlyMap<string, RunMetrics>;
  /** The whole JSON document written. */
  readonly document: Readonly<Record<string, unknown>>;
}

/** Drives rows into the sinks; returns the metrics. Rethrows a source error after the files are finished. */
export async function runToFiles(o: RunToFilesOptions): Promise<RunResult> {
  const features = o.features ?? (o.rows as Partial<FeatureRowStream>).features ?? null;
  const analysis = features === null ? undefined : analysisOptions(features);
  const newSummary = (symbol: string): RunSummary => new RunSummary(symbol, o.facts, analysis);
  const summaries = new Map<string, RunSummary>();
  let rows = 0;
  let failure: { error: unknown } | null = null;
  try {
    for await (const row of o.rows) {
      let summary = summaries.get(row.symbol);
      if (summary === undefined) {
        summary = newSummary(row.symbol);
        summaries.set(row.symbol, summary);
      }
      summary.add(row);
      for (const sink of o.sinks) await sink.write(row);
      rows++;
      o.onRow?.(row, rows);
    }
  } catch (error) {
    failure = { error };
  }
  let closeError: unknown = null;
  for (const sink of o.sinks) {
    try {
      await sink.close();
    } catch (error) {
      closeError ??= error;
    }
  }
  const metricsBySymbol = new Map<string, RunMetrics>();
  const ordered = [...o.symbols, ...[...summaries.keys()].filter((s) => !o.symbols.includes(s))];
  for (const symbol of ordered) {
    const s = summaries.get(symbol) ?? newSummary(symbol);
    metricsBySymbol.set(symbol, s.result());
  }
  const first = ordered[0];
  const document = {
    schema_version: METRICS_SCHEMA_VERSION,
    config: features === null ? o.config : { ...o.config, ...analysisConfig(features) },
    metrics: first !== undefined ? metricsBySymbol.get(first) : null,
    metrics_by_symbol: Object.fromEntries(metricsBySymbol),
    ...(failure !== null ? { ended_by_error: describe(failure.error) } : {}),
  };
  if (o.jsonPath !== null) await writeMetricsJson(o.jsonPath, document);
  if (failure !== null) throw failure.error;
  if (closeError !== null) throw closeError;
  return { rows, metricsBySymbol, document };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
