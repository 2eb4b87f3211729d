/**
 * Parquet output (hyparquet-writer, pure JS): rows are buffered column-wise and written as one row group
 * every `rowGroupRows` rows, so memory stays bounded by one row group however long the run. Every column is
 * OPTIONAL (nullable): NaN, ±Infinity and null are written as null, as the CSV writes an empty cell.
 * Types: `double` → DOUBLE, `int` → INT64, `string` → UTF-8 BYTE_ARRAY, `boolean` → BOOLEAN, `timestamp`
 * (the ISO-8601 text of the `timestamp` column, or epoch ms) → INT64 TIMESTAMP(MICROS, UTC).
 *
 * A Parquet file is only readable once its footer is written, so the file is built as `<path>.partial` and
 * renamed to `<path>` by `close()`: readers never see a half-written file; a killed run leaves only the
 * `.partial` (the CSV, written line by line, still has every row).
 */
import { lstat, open, realpath, rename, rm, type FileHandle } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { ByteWriter, ParquetWriter, type ColumnSource } from 'hyparquet-writer';
import { OutputError } from '../../errors.js';
import { describeFsError } from '../fs-error.js';
import { checkColumns, type Row, type RowSink, type RowValue } from './row-sink.js';

/** How a column is stored. */
export type ParquetColumnKind = 'double' | 'int' | 'string' | 'boolean' | 'timestamp';

/** Options of {@link ParquetSink.open}. */
export interface ParquetSinkOptions {
  /**
   * Storage kind of each column.
   * @default every column 'double'
   */
  readonly kindOf?: (column: string) => ParquetColumnKind;
  /**
   * Rows per row group.
   * @default 10000
   */
  readonly rowGroupRows?: number;
  /**
   * Overwrite an existing file.
   * @default false
   */
  readonly force?: boolean;
}

const DEFAULT_ROW_GROUP_ROWS = 10_000;

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

/** A hyparquet Writer that hands its bytes to a file after each row group instead of keeping them. */
class FileChunkWriter extends ByteWriter {
  constructor(
    private readonly file: FileHandle,
    private readonly path: string,
  ) {
    super(1 << 16);
  }

  flush(): Promise<void> {
    return this.drain();
  }

  override finish(): Promise<void> {
    return this.drain();
  }

  private async drain(): Promise<void> {
    if (this.index === 0) return;
    // The buffer is reused after this resolves, so the bytes must be written out before returning.
    const bytes = new Uint8Array(this.buffer, 0, this.index);
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await this.file.write(bytes, written, bytes.length - written);
        written += bytesWritten;
      }
    } catch (error) {
      throw new OutputError(`${this.path}: cannot write: ${describeFsError(error)}`, this.path, {
        cause: error,
      });
    }
    this.index = 0;
  }
}

export class ParquetSink implements RowSink {
  private readonly buffers: RowValue[][];
  private buffered = 0;
  private rowsWritten = 0;
  private closed: Promise<void> | null = null;
  private failure: unknown = null;

  private constructor(
    readonly path: string,
    private readonly partialPath: string,
    readonly columns: readonly string[],
    private readonly kinds: readonly ParquetColumnKind[],
    private readonly rowGroupRows: number,
    private readonly file: FileHandle,
    private readonly writer: ParquetWriter,
  ) {
    this.buffers = columns.map(() => []);
  }

  /**
   * Returns a sink writing a Parquet file at `path` (built as `<path>.partial`, renamed on close). Fails with
   * an OutputError when the directory is missing or unwritable, or the file exists and `force` is not set.
   */
  static async open(
    requested: string,
    columns: readonly string[],
    options: ParquetSinkOptions = {},
  ): Promise<ParquetSink> {
    checkColumns(columns);
    const path = await renameTarget(requested);
    const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
    if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) {
      throw new OutputError(`parquet rowGroupRows=${rowGroupRows}: must be a whole number >= 1`, path);
    }
    if (options.force !== true && existsSync(path)) {
      throw new OutputError(`${path} already exists; pass --force to overwrite it`, path);
    }
    const kindOf = options.kindOf ?? ((): ParquetColumnKind => 'double');
    const kinds = columns.map(kindOf);
    const partialPath = `${path}.partial`;
    let file: FileHandle;
    try {
      file = await open(partialPath, 'w');
    } catch (error) {
      throw new OutputError(`${path}: cannot create: ${describeFsError(error)}`, path, { cause: error });
    }
    const writer = new ParquetWriter({
      writer: new FileChunkWriter(file, path),
      schema: schemaOf(columns, kinds),
      createdBy: 'obi (hyparquet-writer)',
    });
    return new ParquetSink(path, partialPath, [...columns], kinds, rowGroupRows, file, writer);
  }

  async write(row: Row): Promise<void> {
    if (this.closed !== null) throw new OutputError(`${this.path}: write after close`, this.path);
    if (this.failure !== null) throw this.failure;
    for (let c = 0; c < this.columns.length; c++) {
      this.buffers[c]!.push(row[this.columns[c]!] ?? null);
    }
    this.buffered++;
    if (this.buffered >= this.rowGroupRows) await this.writeGroup();
  }

  /** Writes the buffered rows as a (possibly short) row group. The file is complete only after `close()`. */
  async flush(): Promise<void> {
    if (this.closed !== null) return;
    await this.writeGroup();
  }

  /** Writes the last row group and the footer, then renames the file into place. Idempotent. */
  close(): Promise<void> {
    this.closed ??= this.finish();
    return this.closed;
  }

  /** Rows handed to the Parquet writer so far (buffered rows not included). */
  get rows(): number {
    return this.rowsWritten;
  }

  private async finish(): Promise<void> {
    try {
      if (this.failure !== null) throw this.failure;
      await this.writeGroup();
      await this.writer.finish();
      await this.file.close();
      await rename(this.partialPath, this.path);
    } catch (error) {
      await this.file.close().catch(() => undefined);
      await rm(this.partialPath, { force: true }).catch(() => undefined);
      throw error instanceof OutputError
        ? error
        : new OutputError(`${this.path}: cannot finish: ${describeFsError(error)}`, this.path, {
            cause: error,
          });
    }
  }

  private async writeGroup(): Promise<void> {
    const n = this.buffered;
    if (n === 0) return;
    try {
      const columnData: ColumnSource[] = this.columns.map((name, c) => ({
        name,
        data: convert(this.buffers[c]!, this.kinds[c]!, name, this.path),
      }));
      for (const b of this.buffers) b.length = 0;
      this.buffered = 0;
      await this.writer.write({ columnData, rowGroupSize: n });
      this.rowsWritten += n;
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }
}

function schemaOf(columns: readonly string[], kinds: readonly ParquetColumnKind[]): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  columns.forEach((name, c) => {
    const repetition_type = 'OPTIONAL' as const;
    switch (kinds[c]!) {
      case 'double':
        schema.push({ name, type: 'DOUBLE', repetition_type });
        break;
      case 'int':
        schema.push({ name, type: 'INT64', repetition_type });
        break;
      case 'boolean':
        schema.push({ name, type: 'BOOLEAN', repetition_type });
        break;
      case 'string':
        schema.push({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type });
        break;
      case 'timestamp':
        schema.push({
          name,
          type: 'INT64',
          converted_type: 'TIMESTAMP_MICROS',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
          repetition_type,
        });
        break;
    }
  });
  return schema;
}

const ISO_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;

/** Returns epoch microseconds of an ISO-8601 UTC text (fraction truncated to µs) or epoch ms; null if neither. */
export function epochMicros(value: RowValue): bigint | null {
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.round(value * 1000)) : null;
  if (typeof value !== 'string') return null;
  const m = ISO_UTC.exec(value);
  if (m === null) return null;
  const seconds = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(seconds)) return null;
  const fraction = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return BigInt(seconds) * 1000n + BigInt(fraction);
}

function convert(
  values: readonly RowValue[],
  kind: ParquetColumnKind,
  column: string,
  path: string,
): unknown[] {
  switch (kind) {
    case 'double':
      return values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
    case 'int':
      return values.map((v) => {
        if (v === null || (typeof v === 'number' && Number.isNaN(v))) return null;
        if (typeof v === 'boolean') return v ? 1n : 0n;
        if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
          throw new OutputError(`${path}: column ${column} holds ${String(v)}, not a whole number`, path);
        }
        return BigInt(v);
      });
    case 'boolean':
      return values.map((v) =>
        typeof v === 'boolean' ? v : typeof v === 'number' && !Number.isNaN(v) ? v !== 0 : null,
      );
    case 'string':
      return values.map((v) =>
        v === null ? null : typeof v === 'number' && !Number.isFinite(v) ? null : String(v),
      );
    case 'timestamp':
      return values.map(epochMicros);
  }
}

/**
 * Returns the path the finished file is renamed to: `path`, or the file a symbolic link names (so the link
 * stays). Throws an OutputError for an existing target that is not a regular file: renaming over a device
 * such as /dev/null would replace the device node itself.
 */
async function renameTarget(path: string): Promise<string> {
  let resolved = path;
  try {
    if ((await lstat(path)).isSymbolicLink()) resolved = await realpath(path);
  } catch {
    return path;
  }
  let regular = true;
  try {
    regular = (await lstat(resolved)).isFile();
  } catch {
    return resolved;
  }
  if (!regular) {
    throw new OutputError(
      `${path} is not a regular file; Parquet output is written beside its target and renamed into place, ` +
        'so choose a file path for --parquet',
      path,
    );
  }
  return resolved;
}
