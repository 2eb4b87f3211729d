/**
 * Reading a feature CSV (what `obi collect` / `obi replay` write, or the original script's) back as feature
 * rows, streamed, so metrics can be rebuilt from the CSV alone (`obi analyze`, `obi collect --resume`).
 *
 * Cells go back to what the pipeline had before the CSV sink wrote them: an empty cell is NaN (the sink
 * writes NaN, ±Infinity and null as empty), `symbol`, `status`, `reason` and `timestamp` stay text, every
 * other cell must be a number. A last line without its `\n` is a torn write (a killed run) and is dropped;
 * other malformed lines are skipped and counted, and a file mostly made of them fails with a ParseError
 * (the same rule as the recording reader, line-accounting.ts).
 */
import { ParseError } from '../errors.js';
import { SEED_COLUMNS, type FeatureRow } from '../core/row/feature-row.js';
import { parseCsvLine } from './csv-line.js';
import { openInputStream, readFailure } from './input-stream.js';
import { createInputStats, FileLineAccounting, type InputStats } from './line-accounting.js';
import { readLines } from './line-reader.js';

/** Columns kept as text. */
const TEXT_COLUMNS = new Set(['timestamp', 'symbol', 'status', 'reason']);
/** The columns a CSV must have to be read as feature rows: the original script's. */
export const REQUIRED_FEATURE_COLUMNS: readonly string[] = SEED_COLUMNS;

/** Counts of a feature CSV read. `events` counts the rows yielded. */
export interface FeatureCsvStats extends InputStats {
  /** Bytes of a torn last line that was dropped (0 when the file ended with a complete line). */
  tornBytes: number;
}

/** Options of `readFeatureCsv`. */
export interface FeatureCsvOptions {
  /**
   * Symbol of rows when the CSV has no `symbol` column (the original script's CSV).
   * @default 'UNKNOWN'
   */
  readonly symbol?: string;
}

/** An opened feature CSV: its header, and its rows (one pass) whose `stats` fill in as they are read. */
export interface FeatureCsv {
  readonly path: string;
  readonly columns: readonly string[];
  readonly rows: AsyncIterable<FeatureRow>;
  readonly stats: FeatureCsvStats;
}

/**
 * Opens the feature CSV at `path` (plain or gzip) and reads its header. Throws a ConfigError when it cannot
 * be read, a ParseError when it has no header or lacks the original script's columns; iterating `rows`
 * throws a ParseError when the file turns out to be mostly garbage or cannot be read to its end.
 */
export async function readFeatureCsv(path: string, options: FeatureCsvOptions = {}): Promise<FeatureCsv> {
  const input = await openInputStream(path);
  const tracked = trackLastByte(input.stream);
  const lines = readLines(tracked.chunks)[Symbol.asyncIterator]();
  let first: IteratorResult<string | null>;
  try {
    first = await lines.next();
  } catch (error) {
    input.stream.destroy();
    throw readFailure(path, 0, error);
  }
  const headerText = first.done === true || first.value === null ? null : first.value.replace(/^\uFEFF/, '');
  const columns = headerText === null ? null : parseCsvLine(headerText);
  if (columns === null || columns.length < 2) {
    input.stream.destroy();
    throw new ParseError(
      `${path}: not a feature CSV: its first line is not a CSV header (${(headerText ?? '').slice(0, 80)}); ` +
        'give a CSV written by obi collect, obi replay or the original script',
      path,
      1,
    );
  }
  const missing = REQUIRED_FEATURE_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    input.stream.destroy();
    throw new ParseError(
      `${path}: not a feature CSV written by obi or the original script: no column ${missing.join(', ')}; ` +
        'give a CSV written by obi collect, obi replay or the original script',
      path,
      1,
    );
  }
  const stats: FeatureCsvStats = { ...createInputStats(), tornBytes: 0 };
  const convert = rowConverter(columns, options.symbol ?? 'UNKNOWN');
  const rows = (async function* (): AsyncGenerator<FeatureRow> {
    const accounting = new FileLineAccounting(stats, path, 'a feature CSV');
    accounting.good();
    let held: FeatureRow[] | null = [];
    let lineNumber = 1;
    // One line is held back: the last one is torn when the file does not end with a newline.
    let pending: { text: string | null; line: number } | null = null;
    const take = function* (text: string | null, line: number): Generator<FeatureRow> {
      if (text !== null && text.length === 0) return;
      const row = text === null ? 'line too long' : convert(text);
      if (typeof row === 'string') {
        accounting.bad(line, row);
      } else {
        accounting.good();
        if (held !== null) held.push(row);
        else {
          stats.events++;
          yield row;
        }
      }
      if (held !== null && accounting.passed) {
        const release = held;
        held = null;
        stats.events += release.length;
        yield* release;
      }
    };
    try {
      for (;;) {
        let next: IteratorResult<string | null>;
        try {
          next = await lines.next();
        } catch (error) {
          throw readFailure(path, lineNumber, error);
        }
        if (next.done === true) break;
        lineNumber++;
        if (pending !== null) yield* take(pending.text, pending.line);
        pending = { text: next.value, line: lineNumber };
      }
      if (pending !== null) {
        if (tracked.endedWithNewline()) yield* take(pending.text, pending.line);
        else stats.tornBytes = pending.text === null ? 0 : Buffer.byteLength(pending.text);
      }
      accounting.end();
      if (held !== null) {
        stats.events += held.length;
        yield* held;
      }
    } finally {
      input.stream.destroy();
    }
  })();
  return { path, columns, rows, stats };
}

/** Passes chunks through, remembering whether the last byte seen was a newline. */
function trackLastByte(stream: AsyncIterable<Uint8Array | string>): {
  chunks: AsyncIterable<Uint8Array | string>;
  endedWithNewline: () => boolean;
} {
  let last = -1;
  return {
    chunks: (async function* () {
      for await (const chunk of stream) {
        if (chunk.length > 0) {
          last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : (chunk.at(-1) as number);
        }
        yield chunk;
      }
    })(),
    endedWithNewline: () => last === 0x0a,
  };
}

/** Returns a function turning one CSV line into a feature row, or into the reason it is malformed. */
function rowConverter(columns: readonly string[], symbol: string): (line: string) => FeatureRow | string {
  const hasSymbol = columns.includes('symbol');
  const hasStatus = columns.includes('status');
  const hasTime = columns.includes('time_ms');
  return (line) => {
    const fields = parseCsvLine(line);
    if (fields === null) return 'broken CSV quoting';
    if (fields.length !== columns.length) return `expected ${columns.length} fields, got ${fields.length}`;
    const row: Record<string, number | string | null> = {};
    for (let i = 0; i < columns.length; i++) {
      const name = columns[i] as string;
      const text = fields[i] as string;
      if (TEXT_COLUMNS.has(name)) {
        row[name] = text;
        continue;
      }
      if (text === '') {
        row[name] = Number.NaN;
        continue;
      }
      const value = Number(text);
      if (Number.isNaN(value) && text !== 'NaN')
        return `column ${name} is not a number: ${text.slice(0, 40)}`;
      row[name] = value;
    }
    if (!hasSymbol) row['symbol'] = symbol;
    if (!hasStatus) row['status'] = Number.isFinite(row['obi']) ? 'ok' : 'missing';
    if (!hasTime) {
      const time = timestampMs(String(row['timestamp']));
      if (time === null) return `timestamp is not ISO-8601: ${String(row['timestamp']).slice(0, 40)}`;
      row['time_ms'] = time;
    } else if (!Number.isFinite(row['time_ms'])) {
      return 'time_ms is empty';
    }
    return row as FeatureRow;
  };
}

/** Returns epoch ms (fractional, microseconds kept) of an ISO-8601 UTC time, or null. */
export function timestampMs(text: string): number | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)?$/.exec(text.trim());
  if (m === null) return null;
  const whole = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  if (!Number.isFinite(whole)) return null;
  const fraction = m[2] === undefined ? 0 : Number(`0.${m[2]}`) * 1000;
  return whole + fraction;
}
