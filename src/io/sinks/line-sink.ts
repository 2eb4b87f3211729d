/**
 * The part every text row sink shares (CSV, NDJSON): one row becomes one complete line, written as one
 * write to an OutputStream, so a run killed at any moment leaves whole lines only; the stream brings
 * backpressure and typed OutputErrors. A subclass says how a row reads as a line and how it is opened.
 */
import type { Writable } from 'node:stream';
import { OutputStream } from '../output-stream.js';
import type { OutputFileOptions } from '../output-stream.js';
import { checkColumns } from './row-sink.js';
import type { Row, RowSink } from './row-sink.js';

export abstract class LineSink implements RowSink {
  /** The column order, fixed when the sink was opened. */
  readonly columns: readonly string[];
  private rows = 0;

  protected constructor(
    protected readonly out: OutputStream,
    columns: readonly string[],
  ) {
    this.columns = [...columns];
  }

  /**
   * Returns the output file at `path` for a sink of `columns`, checked first so that bad columns create no
   * file. OutputError when it cannot be opened (see OutputStream.openFile).
   */
  protected static async openFile(
    path: string,
    columns: readonly string[],
    options: OutputFileOptions = {},
  ): Promise<OutputStream> {
    checkColumns(columns);
    return OutputStream.openFile(path, options);
  }

  /** Returns an output over a stream the sink does not own (e.g. stdout), after checking `columns`. */
  protected static wrapStream(stream: Writable, columns: readonly string[], label: string): OutputStream {
    checkColumns(columns);
    return OutputStream.fromWritable(stream, label);
  }

  /** Returns the line (with its `\n`) of `row` in column order. */
  protected abstract formatLine(row: Row): string;

  /** Rows accepted so far (a header line does not count). */
  get rowsWritten(): number {
    return this.rows;
  }

  /** The path or label written to. */
  get path(): string {
    return this.out.path;
  }

  write(row: Row): Promise<void> {
    const pending = this.out.write(this.formatLine(row));
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
