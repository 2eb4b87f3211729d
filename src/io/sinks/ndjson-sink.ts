/**
 * NDJSON output: one JSON object per row, keys in column order, for other programs to consume as a stream
 * (`obi … --ndjson | jq`). NaN and ±Infinity become `null` (JSON has no such numbers); a missing key is `null`.
 */
import type { Writable } from 'node:stream';
import { OutputStream } from '../output-stream.js';
import type { OutputFileOptions } from '../output-stream.js';
import { checkColumns } from './row-sink.js';
import type { Row, RowSink, RowValue } from './row-sink.js';

/** Returns the NDJSON line (with its `\n`) of `row` in `columns` order. */
export function formatNdjsonRow(row: Row, columns: readonly string[]): string {
  const ordered: Record<string, RowValue> = {};
  for (const name of columns) {
    const value = row[name];
    ordered[name] =
      value === undefined || (typeof value === 'number' && !Number.isFinite(value)) ? null : value;
  }
  return JSON.stringify(ordered) + '\n';
}

export class NdjsonSink implements RowSink {
  private rows = 0;

  private constructor(
    private readonly out: OutputStream,
    readonly columns: readonly string[],
  ) {}

  /** Returns a sink writing a new file at `path` (OutputError when unwritable, or existing without `force`). */
  static async open(
    path: string,
    columns: readonly string[],
    options: OutputFileOptions = {},
  ): Promise<NdjsonSink> {
    checkColumns(columns);
    return new NdjsonSink(await OutputStream.openFile(path, options), [...columns]);
  }

  /** Returns a sink writing to a stream it does not own (`close()` flushes, never ends it), e.g. stdout. */
  static fromWritable(stream: Writable, columns: readonly string[], label = '<stream>'): NdjsonSink {
    checkColumns(columns);
    return new NdjsonSink(OutputStream.fromWritable(stream, label), [...columns]);
  }

  /** Rows accepted so far. */
  get rowsWritten(): number {
    return this.rows;
  }

  /** The path or label written to. */
  get path(): string {
    return this.out.path;
  }

  write(row: Row): Promise<void> {
    const pending = this.out.write(formatNdjsonRow(row, this.columns));
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
