/**
 * PostgreSQL output (`--sink postgres://…`): feature rows into one long table keyed by
 * (exchange, market, symbol, ts), or a table per run (`?table=run_0807`). Rows are buffered and written in
 * batches: COPY into a temporary staging table, then one `INSERT … SELECT … ON CONFLICT DO NOTHING` into the
 * target, in one transaction. A row already stored (a restarted consumer, a replay of the same data) is
 * skipped, so writing the same rows again never duplicates them.
 *
 * The table is created on first use: the key columns, then one column per row column, typed from the first
 * batch (number → double precision, string → text, boolean → boolean; a column with no value yet → double
 * precision). A later run with more columns adds them (`ADD COLUMN IF NOT EXISTS`). NaN and ±Infinity are
 * stored as NULL, as the CSV leaves them empty (SQL aggregates skip NULL; they would turn NaN into NaN).
 *
 * URL parameters (removed before connecting): `table` (default `obi_rows`, optionally `schema.table`),
 * `batch` (rows per transaction, default 1000), `flush-ms` (longest time a row waits in the buffer,
 * default 1000).
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { ConfigError, OutputError } from '../../errors.js';
import { formatTimestampMicros } from '../../core/row/timestamp.js';
import { checkColumns, type Row, type RowSink, type RowValue } from './row-sink.js';

/** Columns of the key, in this order, before the row's own columns. */
export const POSTGRES_KEY_COLUMNS = ['exchange', 'market', 'symbol', 'ts'] as const;

export const DEFAULT_POSTGRES_TABLE = 'obi_rows';
const DEFAULT_BATCH_ROWS = 1000;
const DEFAULT_FLUSH_MS = 1000;

type SqlType = 'double precision' | 'text' | 'boolean';

/** Options of PostgresSink.open. */
export interface PostgresSinkOptions {
  /** `postgres://user:password@host:port/database?table=…&batch=…&flush-ms=…` */
  readonly url: string;
  /** The row columns to store (the key's `symbol` among them or not). */
  readonly columns: readonly string[];
  /**
   * Exchange and market of rows that carry none (a collector's own rows). A row's own `exchange`/`market`
   * string cells win (a consumer reading several venues).
   */
  readonly venue: { readonly exchange: string; readonly market: string };
  /** Overrides the URL's `table`. */
  readonly table?: string;
  /** Overrides the URL's `batch`. @default 1000 */
  readonly batchRows?: number;
  /** Overrides the URL's `flush-ms`. @default 1000 */
  readonly flushMs?: number;
}

/** A parsed `postgres://` sink URL. */
export interface PostgresTarget {
  /** The URL to connect with (obi's parameters removed). */
  readonly connectionString: string;
  /** The URL without password, for messages. */
  readonly display: string;
  readonly table: string;
  readonly batchRows: number;
  readonly flushMs: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Returns an SQL identifier in double quotes (`"bid_vol_L"` keeps its case). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Returns `table` or `schema.table`, each part quoted; throws ConfigError for anything else. */
export function quoteTableName(table: string): string {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new ConfigError(
      `table "${table}" must be a name like obi_rows or research.obi_rows (letters, digits, _)`,
      'table',
    );
  }
  return parts.map(quoteIdentifier).join('.');
}

/** Returns the connection string, table and batching of a `postgres://` URL. Throws ConfigError. */
export function parsePostgresUrl(value: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `expected a PostgreSQL URL like postgres://user@host:5432/db (got "${value}")`,
      'sink',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`expected a postgres:// URL (got "${value}")`, 'sink');
  }
  const table = url.searchParams.get('table') ?? DEFAULT_POSTGRES_TABLE;
  quoteTableName(table);
  const positive = (key: string, fallback: number): number => {
    const raw = url.searchParams.get(key);
    if (raw === null) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new ConfigError(`postgres URL parameter ${key} must be a whole number ≥ 1 (got "${raw}")`, key);
    }
    return n;
  };
  const batchRows = positive('batch', DEFAULT_BATCH_ROWS);
  const flushMs = positive('flush-ms', DEFAULT_FLUSH_MS);
  for (const key of ['table', 'batch', 'flush-ms']) url.searchParams.delete(key);
  const display = new URL(url.toString());
  display.password = '';
  display.search = '';
  return { connectionString: url.toString(), display: display.toString(), table, batchRows, flushMs };
}

/** Returns one field of COPY's text format: `\N` for no value, backslash escapes for the rest. */
export function formatCopyValue(value: RowValue | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // COPY text format: backslash, tab, newline and carriage return are escaped (PostgreSQL docs, COPY, "Text Format").
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

function sqlTypeOf(value: RowValue | undefined): SqlType | null {
  if (typeof value === 'number') return 'double precision';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'boolean';
  return null;
}

/** Returns the column types for `columns`, from the first value each has in `rows`. */
export function inferColumnTypes(columns: readonly string[], rows: readonly Row[]): Map<string, SqlType> {
  const types = new Map<string, SqlType>();
  for (const name of columns) {
    let type: SqlType | null = null;
    for (const row of rows) {
      type = sqlTypeOf(row[name]);
      if (type !== null) break;
    }
    types.set(name, type ?? 'double precision');
  }
  return types;
}

const KEY_COLUMN_SET: ReadonlySet<string> = new Set(POSTGRES_KEY_COLUMNS);

export class PostgresSink implements RowSink {
  readonly columns: readonly string[];
  /** Row columns stored besides the key. */
  private readonly dataColumns: readonly string[];
  private buffer: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: OutputError | null = null;
  private tableReady = false;
  private firstRows: Row[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed: Promise<void> | null = null;
  private inserted = 0;
  private skipped = 0;
  private written = 0;

  private constructor(
    private readonly client: pg.Client,
    private readonly target: PostgresTarget,
    private readonly o: PostgresSinkOptions,
    columns: readonly string[],
  ) {
    this.columns = columns;
    this.dataColumns = columns.filter((c) => !KEY_COLUMN_SET.has(c));
  }

  /**
   * Connects and returns the sink; the table is created with the first batch. Throws ConfigError for a
   * bad URL or column list, OutputError when the database cannot be reached.
   */
  static async open(o: PostgresSinkOptions): Promise<PostgresSink> {
    checkColumns(o.columns);
    const parsed = parsePostgresUrl(o.url);
    const target: PostgresTarget = {
      ...parsed,
      table: o.table ?? parsed.table,
      batchRows: o.batchRows ?? parsed.batchRows,
      flushMs: o.flushMs ?? parsed.flushMs,
    };
    quoteTableName(target.table);
    const client = new pg.Client({
      connectionString: target.connectionString,
      connectionTimeoutMillis: 10_000,
    });
    // Errors of an idle connection (the server restarted) surface on the next query; don't crash on them.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw new OutputError(
        `cannot connect to PostgreSQL at ${target.display}: ${(error as Error).message}; ` +
          'is the server running, and are the host, port, user and database in --sink right?',
        target.display,
        { cause: error },
      );
    }
    const sink = new PostgresSink(client, target, o, [...o.columns]);
    sink.timer = setInterval(() => {
      if (sink.buffer.length > 0 && sink.failure === null) void sink.flush().catch(() => undefined);
    }, target.flushMs);
    sink.timer.unref();
    return sink;
  }

  /** Rows accepted so far. */
  get rowsWritten(): number {
    return this.written;
  }

  /** Rows stored by the batches committed so far (new keys). */
  get rowsInserted(): number {
    return this.inserted;
  }

  /** Rows skipped by the batches committed so far because their key was already stored. */
  get rowsSkipped(): number {
    return this.skipped;
  }

  /** The table written to (as given, unquoted). */
  get table(): string {
    return this.target.table;
  }

  async write(row: Row): Promise<void> {
    if (this.failure !== null) throw this.failure;
    const line = this.copyLine(row);
    if (!this.tableReady && this.firstRows.length < this.target.batchRows) this.firstRows.push(row);
    this.buffer.push(line);
    this.written++;
    if (this.buffer.length >= this.target.batchRows) await this.flush();
  }

  private copyLine(row: Row): string {
    const symbol = row['symbol'];
    const timeMs = row['time_ms'];
    if (typeof symbol !== 'string' || typeof timeMs !== 'number' || !Number.isFinite(timeMs)) {
      throw new ConfigError(
        'a row stored in PostgreSQL needs a string `symbol` and a number `time_ms`',
        'columns',
      );
    }
    const exchange = typeof row['exchange'] === 'string' ? row['exchange'] : this.o.venue.exchange;
    const market = typeof row['market'] === 'string' ? row['market'] : this.o.venue.market;
    const fields = [exchange, market, symbol, formatTimestampMicros(timeMs)].map(formatCopyValue);
    for (const name of this.dataColumns) fields.push(formatCopyValue(row[name]));
    return fields.join('\t') + '\n';
  }

  /** Resolves once every row written so far is committed to the table. */
  flush(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const lines = this.buffer;
    this.buffer = [];
    if (lines.length > 0) this.chain = this.chain.then(() => this.writeBatch(lines));
    const done = this.chain;
    return done.then(() => {
      if (this.failure !== null) throw this.failure;
    });
  }

  private async writeBatch(lines: readonly string[]): Promise<void> {
    if (this.failure !== null) return;
    const table = quoteTableName(this.target.table);
    const columnList = [...POSTGRES_KEY_COLUMNS, ...this.dataColumns].map(quoteIdentifier).join(', ');
    try {
      if (!this.tableReady) await this.prepareTable();
      await this.client.query('BEGIN');
      try {
        await pipeline(
          Readable.from([lines.join('')]),
          this.client.query(copyStreams.from(`COPY obi_stage (${columnList}) FROM STDIN`)),
        );
        const result = await this.client.query(
          `INSERT INTO ${table} (${columnList}) SELECT ${columnList} FROM obi_stage ON CONFLICT DO NOTHING`,
        );
        await this.client.query('COMMIT');
        const stored = result.rowCount ?? 0;
        this.inserted += stored;
        this.skipped += lines.length - stored;
      } catch (error) {
        await this.client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      this.failure = new OutputError(
        `cannot write rows to PostgreSQL ${this.target.display} table ${this.target.table}: ${(error as Error).message}`,
        this.target.display,
        { cause: error },
      );
    }
  }

  private async prepareTable(): Promise<void> {
    const table = quoteTableName(this.target.table);
    const types = inferColumnTypes(this.dataColumns, this.firstRows);
    const columnDefs = this.dataColumns.map((c) => `${quoteIdentifier(c)} ${types.get(c) as SqlType}`);
    await this.client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (exchange text NOT NULL, market text NOT NULL, symbol text NOT NULL, ` +
        `ts timestamptz NOT NULL, ${columnDefs.join(', ')}${columnDefs.length > 0 ? ', ' : ''}` +
        'PRIMARY KEY (exchange, market, symbol, ts))',
    );
    for (const def of columnDefs)
      await this.client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${def}`);
    // Emptied at every commit; one per connection.
    await this.client.query(
      `CREATE TEMP TABLE IF NOT EXISTS obi_stage (LIKE ${table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
    );
    this.tableReady = true;
    this.firstRows = [];
  }

  /** Flushes, then closes the connection. Idempotent; rejects with the first write failure. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      clearInterval(this.timer);
      let error: unknown = null;
      try {
        await this.flush();
      } catch (e) {
        error = e;
      }
      await this.client.end().catch(() => undefined);
      if (error !== null) throw error;
    })();
    return this.closed;
  }
}
