/**
 * CSV output that streams rows to disk as they are produced (memory stays flat over a long run). Each row
 * is one write of one complete line, so a run killed at any moment leaves a valid CSV of the rows so far.
 * Cells: numbers in JavaScript's shortest round-trip form (`String(x)`), NaN/±Infinity/null as an empty
 * cell (pandas reads NaN), booleans as `true`/`false`, strings quoted only when RFC 4180 requires it.
 */
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { formatCsvField } from '../csv-line.js';
import { OutputStream } from '../output-stream.js';
import type { OutputFileOptions } from '../output-stream.js';
import { checkColumns } from './row-sink.js';
import type { Row, RowSink, RowValue } from './row-sink.js';

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

export class CsvSink implements RowSink {
  private rows = 0;

  private constructor(
    private readonly out: OutputStream,
    readonly columns: readonly string[],
  ) {}

  /**
   * Returns a sink writing a new CSV file at `path`, its header line already queued. Fails with an
   * OutputError when the directory is missing or unwritable, or the file exists and `force` is not set.
   */
  static async open(
    path: string,
    columns: readonly string[],
    options: OutputFileOptions = {},
  ): Promise<CsvSink> {
    checkColumns(columns);
    const sink = new CsvSink(await OutputStream.openFile(path, options), [...columns]);
    await sink.out.write(sink.columns.map(formatCsvField).join(',') + '\n');
    return sink;
  }

  /**
   * Returns a sink appending rows to the CSV at `path` without writing a header: the file must already
   * end with a complete line under the header of these `columns` (csv-tail.ts checks and repairs that when
   * a run resumes). A missing file is created, header first.
   */
  static async append(path: string, columns: readonly string[]): Promise<CsvSink> {
    checkColumns(columns);
    const out = await OutputStream.openFile(path, { append: true });
    const sink = new CsvSink(out, [...columns]);
    if (!(await hasContent(path))) await sink.out.write(sink.columns.map(formatCsvField).join(',') + '\n');
    return sink;
  }

  /** Returns a sink writing CSV to a stream it does not own (`close()` leaves it open), e.g. stdout. */
  static async fromWritable(
    stream: Writable,
    columns: readonly string[],
    label = '<stream>',
  ): Promise<CsvSink> {
    checkColumns(columns);
    const sink = new CsvSink(OutputStream.fromWritable(stream, label), [...columns]);
    await sink.out.write(sink.columns.map(formatCsvField).join(',') + '\n');
    return sink;
  }

  /** Rows accepted so far (header not counted). */
  get rowsWritten(): number {
    return this.rows;
  }

  /** The path or label written to. */
  get path(): string {
    return this.out.path;
  }

  write(row: Row): Promise<void> {
    const pending = this.out.write(formatCsvRow(row, this.columns));
    this.rows += 1;
    return pending;
  }

  flush(): Promise<void> {
    return this.out.flush();
  }

  close(): Promise<void> {
    return this.out.close();
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
