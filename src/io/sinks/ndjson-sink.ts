/**
 * NDJSON output: one JSON object per row, keys in column order, for other programs to consume as a stream
 * (`obi … --ndjson | jq`). NaN and ±Infinity become `null` (JSON has no such numbers); a missing key is `null`.
 */
import type { Writable } from 'node:stream';
import type { OutputFileOptions } from '../output-stream.js';
import { LineSink } from './line-sink.js';
import type { Row, RowValue } from './row-sink.js';

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

export class NdjsonSink extends LineSink {
  /** Returns a sink writing a new file at `path` (OutputError when unwritable, or existing without `force`). */
  static async open(
    path: string,
    columns: readonly string[],
    options: OutputFileOptions = {},
  ): Promise<NdjsonSink> {
    return new NdjsonSink(await LineSink.openFile(path, columns, options), columns);
  }

  /** Returns a sink writing to a stream it does not own (`close()` flushes, never ends it), e.g. stdout. */
  static fromWritable(stream: Writable, columns: readonly string[], label = '<stream>'): NdjsonSink {
    return new NdjsonSink(LineSink.wrapStream(stream, columns, label), columns);
  }

  protected formatLine(row: Row): string {
    return formatNdjsonRow(row, this.columns);
  }
}
