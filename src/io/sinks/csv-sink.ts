/**
 * CSV output that streams rows to disk as they are produced (memory stays flat over a long run). Each row
 * is one write of one complete line, so a run killed at any moment leaves a valid CSV of the rows so far.
 * Cells: numbers in JavaScript's shortest round-trip form (`String(x)`), NaN/±Infinity/null as an empty
 * cell (pandas reads NaN), booleans as `true`/`false`, strings quoted only when RFC 4180 requires it.
 */
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { formatCsvField } from '../csv-line.js';
import type { OutputFileOptions } from '../output-stream.js';
import { LineSink } from './line-sink.js';
import type { Row, RowValue } from './row-sink.js';

/** Returns one CSV cell for `value`. */
export function formatCsvValue(value: RowValue | undefined): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'string') return formatCsvField(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return '';
}

/** Returns the CSV line (with its `\n`) of `row` in `columns` order. */
export function formatCsvRow(row: Row, columns: readonly string[]): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) line += ',';
    line += formatCsvValue(row[columns[i] as string]);
  }
  return line + '\n';
}

export class CsvSink extends LineSink {
  /**
   * Returns a sink writing a new CSV file at `path`, its header line already queued. Fails with an
   * OutputError when the directory is missing or unwritable, or the file exists and `force` is not set.
   */
  static async open(
    path: string,
    columns: readonly string[],
    options: OutputFileOptions = {},
  ): Promise<CsvSink> {
    return new CsvSink(await LineSink.openFile(path, columns, options), columns).withHeader();
  }

  /**
   * Returns a sink appending rows to the CSV at `path` without writing a header: the file must already
   * end with a complete line under the header of these `columns` (csv-tail.ts checks and repairs that when
   * a run resumes). A missing file is created, header first.
   */
  static async append(path: string, columns: readonly string[]): Promise<CsvSink> {
    const sink = new CsvSink(await LineSink.openFile(path, columns, { append: true }), columns);
    return (await hasContent(path)) ? sink : sink.withHeader();
  }

  /** Returns a sink writing CSV to a stream it does not own (`close()` leaves it open), e.g. stdout. */
  static async fromWritable(
    stream: Writable,
    columns: readonly string[],
    label = '<stream>',
  ): Promise<CsvSink> {
    return new CsvSink(LineSink.wrapStream(stream, columns, label), columns).withHeader();
  }

  protected formatLine(row: Row): string {
    return formatCsvRow(row, this.columns);
  }

  /** Queues the header line and returns this sink. */
  private async withHeader(): Promise<CsvSink> {
    await this.out.write(this.columns.map(formatCsvField).join(',') + '\n');
    return this;
  }
}

/** Returns true when `path` is a file holding at least one byte. */
async function hasContent(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}
