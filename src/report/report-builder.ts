/**
 * Rows in, report data out: one {@link SymbolReport} per symbol, created on its first row. Takes rows one at a
 * time (a CSV being streamed, a live run's sink), so a report of any length is built in bounded memory.
 */
import type { Row } from '../io/sinks/row-sink.js';
import { configOf, intervalMsOf, leadLagOf, symbolMetricsOf } from './metrics-document.js';
import type { ReportData, SymbolReportData } from './report-data.js';
import { REPORT_DATA_VERSION } from './report-data.js';
import { returnHorizons } from './return-horizons.js';
import { SymbolReport, type SymbolReportOptions } from './symbol-report.js';

/** Options of {@link ReportBuilder}. */
export interface ReportBuilderOptions {
  /**
   * The rows' columns (a CSV header, a sink's columns). Without it, the first row's keys.
   */
  readonly columns?: readonly string[];
  /**
   * Display buckets per time chart (about one per pixel column).
   * @default 1000
   */
  readonly buckets?: number;
  /**
   * Largest lag K of the lead/lag profile the report computes when the metrics have none.
   * @default 10
   */
  readonly maxLag?: number;
  /** The sampling interval (ms), for telling gaps; else `config.interval` of the metrics, else estimated. */
  readonly intervalMs?: number;
  /** The metrics document, when known before the rows (used for the interval only, until {@link build}). */
  readonly metrics?: unknown;
}

/** What {@link ReportBuilder.build} needs besides the rows. */
export interface ReportMeta {
  readonly title: string;
  readonly generatedAt: string;
  readonly obiVersion: string;
  readonly csvPath: string | null;
  readonly jsonPath: string | null;
}

const DEFAULT_BUCKETS = 1000;
const DEFAULT_MAX_LAG = 10;
/** The symbol of rows that have no symbol column (the original script's CSV). */
const UNNAMED_SYMBOL = 'UNKNOWN';

export class ReportBuilder {
  private readonly symbols = new Map<string, SymbolReport>();
  private options: SymbolReportOptions | null = null;
  private rowCount = 0;

  constructor(private readonly o: ReportBuilderOptions = {}) {
    if (o.columns !== undefined) this.options = this.symbolOptions(o.columns);
  }

  /** Rows added so far. */
  get rows(): number {
    return this.rowCount;
  }

  /** Adds one row. */
  add(row: Row): void {
    this.options ??= this.symbolOptions(Object.keys(row));
    const symbol = typeof row['symbol'] === 'string' && row['symbol'] !== '' ? row['symbol'] : UNNAMED_SYMBOL;
    let report = this.symbols.get(symbol);
    if (report === undefined) {
      report = new SymbolReport(symbol, this.options);
      this.symbols.set(symbol, report);
    }
    report.add(row);
    this.rowCount++;
  }

  /** Returns the report data; `metrics` is the run's metrics JSON document (or null). */
  build(metrics: unknown, meta: ReportMeta): ReportData {
    const config = configOf(metrics);
    const order = symbolOrder(config, [...this.symbols.keys()]);
    const only = this.symbols.size === 1;
    const symbols: SymbolReportData[] = [];
    for (const symbol of order) {
      const report = this.symbols.get(symbol);
      if (report === undefined) continue;
      let block = symbolMetricsOf(metrics, symbol, only);
      if (block === null && symbol === UNNAMED_SYMBOL) block = symbolMetricsOf(metrics, symbol, true);
      symbols.push(report.result(block, leadLagOf(block)));
    }
    const notes: string[] = [];
    if (this.rowCount === 0) notes.push('No rows: the run produced no samples.');
    if (metrics === null || metrics === undefined)
      notes.push('No metrics JSON was given: metrics tables are empty.');
    return {
      version: REPORT_DATA_VERSION,
      title: meta.title,
      generatedAt: meta.generatedAt,
      obiVersion: meta.obiVersion,
      source: { csv: meta.csvPath, json: meta.jsonPath },
      config,
      symbols,
      notes,
    };
  }

  private symbolOptions(columns: readonly string[]): SymbolReportOptions {
    return {
      columns: new Set(columns),
      horizons: returnHorizons(columns),
      buckets: this.o.buckets ?? DEFAULT_BUCKETS,
      maxLag: this.o.maxLag ?? DEFAULT_MAX_LAG,
      intervalMs: this.o.intervalMs ?? intervalMsOf(this.o.metrics),
    };
  }
}

/** Returns the symbols in the run's order (`config.symbols`), then any others in order of appearance. */
function symbolOrder(config: Readonly<Record<string, unknown>> | null, seen: readonly string[]): string[] {
  const configured = Array.isArray(config?.['symbols'])
    ? (config['symbols'] as unknown[]).filter((s): s is string => typeof s === 'string')
    : [];
  return [...configured.filter((s) => seen.includes(s)), ...seen.filter((s) => !configured.includes(s))];
}
