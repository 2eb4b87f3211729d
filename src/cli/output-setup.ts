/** Opens the row sinks a command asked for: the CSV file, optionally Parquet, and rows streamed to stdout. */
import { CsvSink } from '../io/sinks/csv-sink.js';
import { NdjsonSink } from '../io/sinks/ndjson-sink.js';
import { ParquetSink } from '../io/sinks/parquet-sink.js';
import { columnKind } from '../core/row/column-schema.js';
import type { RowSink } from '../io/sinks/row-sink.js';
import { OutputError } from '../errors.js';
import { existsSync } from 'node:fs';
import type { OutputFlags } from './common-flags.js';

/** Returns the sinks, refusing to overwrite existing outputs unless `force` (checked before any is opened). */
export async function openSinks(flags: OutputFlags, columns: readonly string[]): Promise<RowSink[]> {
  if (!flags.force) {
    for (const path of [flags.csv, flags.json, ...(flags.parquet !== undefined ? [flags.parquet] : [])]) {
      if (existsSync(path)) {
        throw new OutputError(
          `${path} already exists; pass --force to overwrite it, or choose another path with --csv/--json/--parquet`,
          path,
        );
      }
    }
  }
  const sinks: RowSink[] = [await CsvSink.open(flags.csv, columns, { force: flags.force === true })];
  if (flags.parquet !== undefined) {
    try {
      sinks.push(
        await ParquetSink.open(flags.parquet, columns, { kindOf: columnKind, force: flags.force === true }),
      );
    } catch (error) {
      await Promise.allSettled(sinks.map((s) => s.close()));
      throw error;
    }
  }
  if (flags.stdout === 'ndjson') sinks.push(NdjsonSink.fromWritable(process.stdout, columns, '<stdout>'));
  else if (flags.stdout === 'csv')
    sinks.push(await CsvSink.fromWritable(process.stdout, columns, '<stdout>'));
  return sinks;
}

/** Where human-readable messages go: stderr when rows stream to stdout, so pipes stay clean. */
export function messageStream(flags: OutputFlags): NodeJS.WriteStream {
  return flags.stdout !== undefined ? process.stderr : process.stdout;
}
