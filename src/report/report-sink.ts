/**
 * The report as a row sink: it folds each row into the report's accumulators as a live run produces it (no
 * second pass over the CSV), and writes the page once the run's metrics are known. Bounded memory, like
 * {@link writeReport}.
 */
import { checkColumns, type Row, type RowSink } from '../io/sinks/row-sink.js';
import { ReportBuilder } from './report-builder.js';
import { writeBuiltReport, type ReportWriteResult, type WriteBuiltReportOptions } from './write-report.js';

/** Options of {@link ReportSink}. */
export interface ReportSinkOptions {
  /**
   * Display buckets per time chart.
   * @default 1000
   */
  readonly buckets?: number;
  /** The sampling interval (ms), for telling gaps. */
  readonly intervalMs?: number;
}

export class ReportSink implements RowSink {
  readonly columns: readonly string[];
  private readonly builder: ReportBuilder;

  constructor(columns: readonly string[], options: ReportSinkOptions = {}) {
    checkColumns(columns);
    this.columns = [...columns];
    this.builder = new ReportBuilder({
      columns: this.columns,
      ...(options.buckets !== undefined ? { buckets: options.buckets } : {}),
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
    });
  }

  /** Rows folded in so far. */
  get rowsWritten(): number {
    return this.builder.rows;
  }

  write(row: Row): Promise<void> {
    this.builder.add(row);
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to release: the page is written by {@link writeHtml}. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Writes the page with the run's metrics document (run-to-files' `document`), atomically. */
  writeHtml(metrics: unknown, options: WriteBuiltReportOptions): Promise<ReportWriteResult> {
    return writeBuiltReport(this.builder, metrics, options);
  }
}
