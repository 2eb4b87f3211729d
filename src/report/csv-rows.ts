/**
 * Streaming a feature CSV back as rows (ours, or the original script's): one line at a time, plain or gzip,
 * so a 24-hour file never sits in memory. Cells: empty → null, numbers → number, anything else → text.
 * Only the columns asked for are converted (number parsing is most of the cost of a wide CSV).
 */
import { parseCsvLine } from '../io/csv-line.js';
import { openInputStream, readFailure } from '../io/input-stream.js';
import { readLines } from '../io/line-reader.js';
import type { Row, RowValue } from '../io/sinks/row-sink.js';
import { ParseError } from '../errors.js';

/** An opened CSV: its header and its rows (each row read lazily, once). */
export interface CsvRowSource {
  readonly columns: readonly string[];
  readonly rows: AsyncGenerator<Row>;
  /** Lines skipped because their quoting was broken or their field count was wrong (known once read). */
  skippedLines(): number;
}

/** Returns a CSV cell as a row value. */
export function cellValue(text: string): RowValue {
  if (text === '') return null;
  const n = Number(text);
  return Number.isNaN(n) && text !== 'NaN' ? text : n;
}

/**
 * Opens `path` and reads its header. `keep(column)` selects the columns converted into rows (default: all).
 * Throws a ConfigError when the file cannot be read, a ParseError when it has no header.
 */
export async function openCsvRows(
  path: string,
  keep: (column: string) => boolean = () => true,
): Promise<CsvRowSource> {
  const input = await openInputStream(path);
  const lines = readLines(input.stream);
  let lineNumber = 0;
  let header: string[] | null = null;
  try {
    const first = await lines.next();
    lineNumber = 1;
    if (!first.done && first.value !== null) header = parseCsvLine(first.value.replace(/^\uFEFF/, ''));
  } catch (error) {
    input.stream.destroy();
    throw readFailure(path, lineNumber, error);
  }
  if (header === null || header.length === 0 || (header.length === 1 && header[0] === '')) {
    input.stream.destroy();
    throw new ParseError(`${path}: no CSV header line`, path, 1);
  }
  const columns = header;
  const kept = columns.map((c, i) => [c, i] as const).filter(([c]) => keep(c));
  let skipped = 0;
  const rows = (async function* (): AsyncGenerator<Row> {
    try {
      for (;;) {
        let next: IteratorResult<string | null>;
        try {
          next = await lines.next();
        } catch (error) {
          throw readFailure(path, lineNumber, error);
        }
        if (next.done === true) return;
        lineNumber++;
        const line = next.value;
        if (line === null || line === '') {
          if (line === null) skipped++;
          continue;
        }
        const fields = parseCsvLine(line);
        if (fields === null || fields.length !== columns.length) {
          skipped++;
          continue;
        }
        const row: Record<string, RowValue> = {};
        for (const [name, i] of kept) row[name] = cellValue(fields[i] as string);
        yield row;
      }
    } finally {
      input.stream.destroy();
    }
  })();
  return { columns, rows, skippedLines: () => skipped };
}
