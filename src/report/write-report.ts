/**
 * `writeReport`: the self-contained HTML report of a run, from its rows (the CSV streamed from disk, or any
 * async iterable of rows) and its metrics JSON. Memory stays bounded whatever the run's length: rows are folded
 * into display buckets and accumulators as they stream by (report-builder.ts), never held.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, ParseError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import type { Row } from '../io/sinks/row-sink.js';
import { VERSION } from '../version.js';
import { openCsvRows } from './csv-rows.js';
import { loadClientAsset, loadUplotAssets } from './page-assets.js';
import { ReportBuilder, type ReportBuilderOptions } from './report-builder.js';
import { renderReportHtml } from './report-html.js';

/** Options of {@link writeReport}. */
export interface WriteReportOptions {
  /** Path of the HTML file to write (atomically). */
  readonly out: string;
  /** The run's feature CSV, streamed (plain or gzip). Give this or `rows`. */
  readonly csvPath?: string;
  /** The run's rows, e.g. from a live pipeline. Give this or `csvPath`. */
  readonly rows?: AsyncIterable<Row>;
  /** Columns of `rows` (a sink's columns); default: the first row's keys. */
  readonly columns?: readonly string[];
  /** The metrics document (what run-to-files writes). Wins over `metricsPath`. */
  readonly metrics?: unknown;
  /** The metrics JSON file to read. */
  readonly metricsPath?: string;
  /**
   * Page title.
   * @default 'obi report — <symbols>'
   */
  readonly title?: string;
  /**
   * Display buckets per time chart (min/max per bucket), about one per pixel column.
   * @default 1000
   */
  readonly buckets?: number;
  /**
   * Replace an existing file at `out`.
   * @default true
   */
  readonly force?: boolean;
  /**
   * Clock for the "generated" time (epoch ms).
   * @default Date.now
   */
  readonly now?: () => number;
}

/** What a report was built from, for a summary line. */
export interface ReportWriteResult {
  readonly rows: number;
  readonly symbols: readonly string[];
  /** CSV lines skipped as malformed (0 for iterable rows). */
  readonly skippedLines: number;
  readonly bytes: number;
}

/**
 * Writes the report of a run to `options.out`. Throws a ConfigError when neither (or both) of `csvPath` and
 * `rows` is given or an input cannot be read, a ParseError for a metrics file that is not JSON, and an
 * OutputError when the page cannot be written.
 */
export async function writeReport(options: WriteReportOptions): Promise<void> {
  await writeReportWithResult(options);
}

/** Same as {@link writeReport}; returns what the report was built from. */
export async function writeReportWithResult(options: WriteReportOptions): Promise<ReportWriteResult> {
  if ((options.csvPath === undefined) === (options.rows === undefined)) {
    throw new ConfigError('writeReport needs exactly one of csvPath and rows', 'report');
  }
  const metrics = options.metrics !== undefined ? options.metrics : await readMetrics(options.metricsPath);
  const builderOptions: ReportBuilderOptions = {
    metrics,
    ...(options.buckets !== undefined ? { buckets: options.buckets } : {}),
  };
  let builder: ReportBuilder;
  let skippedLines = 0;
  if (options.csvPath !== undefined) {
    const source = await openCsvRows(options.csvPath, isReportColumn);
    builder = new ReportBuilder({ ...builderOptions, columns: source.columns });
    for await (const row of source.rows) builder.add(row);
    skippedLines = source.skippedLines();
  } else {
    builder = new ReportBuilder({
      ...builderOptions,
      ...(options.columns !== undefined ? { columns: options.columns } : {}),
    });
    for await (const row of options.rows as AsyncIterable<Row>) builder.add(row);
  }
  return writeBuiltReport(builder, metrics, {
    out: options.out,
    csvPath: options.csvPath ?? null,
    jsonPath: options.metricsPath ?? null,
    skippedLines,
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.force !== undefined ? { force: options.force } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
}

/** Options of {@link writeBuiltReport}. */
export interface WriteBuiltReportOptions {
  readonly out: string;
  readonly csvPath?: string | null;
  readonly jsonPath?: string | null;
  readonly title?: string;
  /** @default true */
  readonly force?: boolean;
  /** @default Date.now */
  readonly now?: () => number;
  readonly skippedLines?: number;
}

/** Renders what `builder` has gathered, with `metrics`, and writes the page atomically. */
export async function writeBuiltReport(
  builder: ReportBuilder,
  metrics: unknown,
  o: WriteBuiltReportOptions,
): Promise<ReportWriteResult> {
  const now = o.now ?? Date.now;
  const [uplot, chartKitJs, reportJs, reportCss] = await Promise.all([
    loadUplotAssets(),
    loadClientAsset('report', 'chart-kit.js'),
    loadClientAsset('report', 'report-client.js'),
    loadClientAsset('report', 'report.css'),
  ]);
  const probe = builder.build(metrics ?? null, {
    title: o.title ?? '',
    generatedAt: new Date(now()).toISOString(),
    obiVersion: VERSION,
    csvPath: o.csvPath ?? null,
    jsonPath: o.jsonPath ?? null,
  });
  const symbols = probe.symbols.map((s) => s.symbol);
  const data =
    o.title !== undefined ? probe : { ...probe, title: `obi report — ${symbols.join(', ') || 'no data'}` };
  const html = renderReportHtml(data, { uplot, chartKitJs, reportJs, reportCss });
  await writeFileAtomic(o.out, html, { force: o.force ?? true });
  return { rows: builder.rows, symbols, skippedLines: o.skippedLines ?? 0, bytes: Buffer.byteLength(html) };
}

/** The CSV columns the report reads (everything else is skipped while parsing). */
export function isReportColumn(column: string): boolean {
  return REPORT_COLUMNS.has(column) || column.startsWith('ret_fwd_');
}

const REPORT_COLUMNS = new Set([
  'timestamp',
  'time_ms',
  'symbol',
  'status',
  'reason',
  'crossed',
  'latency_ms',
  'mid',
  'mid_ret',
  'mid_ret_fwd',
  'obi',
  'obi_ema',
  'spread_bps',
  'bid_vol_L',
  'ask_vol_L',
  'gate',
  'gate_age',
  'p_up',
]);

async function readMetrics(path: string | undefined): Promise<unknown> {
  if (path === undefined) return null;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read the metrics JSON ${path}: ${String((error as Error).message)}`,
      'json',
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ParseError(`${path} is not valid JSON: ${String((error as Error).message)}`, path, undefined, {
      cause: error,
    });
  }
}
