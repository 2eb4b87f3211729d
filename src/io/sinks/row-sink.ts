/**
 * The sink interface every row output implements (CSV file, NDJSON stream, and later Parquet, Postgres,
 * NATS). A sink is given its column order up front and receives plain rows, one at a time.
 */

import { ConfigError } from '../../errors.js';

/** One cell. `null` (and NaN, ±Infinity) means "no value": an empty CSV cell, a JSON `null`. */
export type RowValue = number | string | boolean | null;

/** One output row: column name → value. Keys not among the sink's columns are ignored; missing keys are null. */
export type Row = Readonly<Record<string, RowValue>>;

export interface RowSink {
  /** The column order, fixed when the sink was opened. */
  readonly columns: readonly string[];
  /**
   * Writes one row. Resolves at once while the output keeps up, later when it must drain (backpressure);
   * await it. Rejects with an OutputError when the output failed.
   */
  write(row: Row): Promise<void>;
  /** Resolves once every row written so far has reached the operating system. */
  flush(): Promise<void>;
  /** Flushes and releases the output. Idempotent. */
  close(): Promise<void>;
}

/** Throws a ConfigError unless `columns` is a non-empty list of distinct names. */
export function checkColumns(columns: readonly string[]): void {
  if (columns.length === 0) throw new ConfigError('a sink needs at least one column', 'columns');
  const seen = new Set<string>();
  for (const name of columns) {
    if (seen.has(name)) throw new ConfigError(`column "${name}" is listed twice`, 'columns');
    seen.add(name);
  }
}
