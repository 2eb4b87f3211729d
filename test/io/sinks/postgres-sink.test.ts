/**
 * The PostgreSQL sink against a real server: OBI_PG_URL (scripts/start-services.sh prints it), else the
 * port that script uses by default. Skips when neither answers.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, OutputError } from '../../../src/errors.js';
import {
  formatCopyValue,
  parsePostgresUrl,
  PostgresSink,
  quoteTableName,
} from '../../../src/io/sinks/postgres-sink.js';
import type { Row } from '../../../src/io/sinks/row-sink.js';

async function findPostgres(): Promise<string | null> {
  const candidates = [process.env['OBI_PG_URL'], 'postgres://postgres@127.0.0.1:15432/obi'];
  for (const url of candidates) {
    if (url === undefined || url === '') continue;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return url;
    } catch {
      await client.end().catch(() => undefined);
    }
  }
  return null;
}

const PG_URL = await findPostgres();
const venue = { exchange: 'binance', market: 'spot' };
const columns = [
  'timestamp',
  'symbol',
  'time_ms',
  'lastUpdateId',
  'obi',
  'mid_ret_fwd',
  'status',
  'reason',
  'crossed',
];

const row = (symbol: string, i: number): Row => ({
  timestamp: new Date(1_723_161_255_000 + i * 100).toISOString(),
  symbol,
  time_ms: 1_723_161_255_000 + i * 100 + 0.25,
  lastUpdateId: i === 0 ? null : 1000 + i,
  obi: i / 10,
  mid_ret_fwd: i % 3 === 0 ? Number.NaN : -i / 1000,
  status: 'ok',
  reason: i === 2 ? 'tab\there, line\nthere, back\\slash' : '',
  crossed: i % 2 === 0,
});

describe('postgres sink (pure parts)', () => {
  it('COPY fields: \\N for no value, escapes for backslash, tab, newline, CR', () => {
    expect(formatCopyValue(null)).toBe('\\N');
    expect(formatCopyValue(Number.NaN)).toBe('\\N');
    expect(formatCopyValue(Number.POSITIVE_INFINITY)).toBe('\\N');
    expect(formatCopyValue(1.5)).toBe('1.5');
    expect(formatCopyValue(true)).toBe('t');
    expect(formatCopyValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });
  it('URLs: obi parameters are taken out, the password never shown, bad names refused', () => {
    const t = parsePostgresUrl(
      'postgres://me:secret@db:5432/obi?table=research.run_1&batch=50&flush-ms=200&sslmode=disable',
    );
    expect(t).toMatchObject({ table: 'research.run_1', batchRows: 50, flushMs: 200 });
    expect(t.connectionString).toBe('postgres://me:secret@db:5432/obi?sslmode=disable');
    expect(t.display).toBe('postgres://me@db:5432/obi');
    expect(() => parsePostgresUrl('mysql://x/y')).toThrow(ConfigError);
    expect(() => parsePostgresUrl('postgres://x/y?table=rows;drop')).toThrow(ConfigError);
    expect(() => parsePostgresUrl('postgres://x/y?batch=0')).toThrow(ConfigError);
    expect(quoteTableName('obi_rows')).toBe('"obi_rows"');
  });
});

describe.skipIf(PG_URL === null)('postgres sink against a real server', () => {
  const url = PG_URL as string;
  const admin = new pg.Client({ connectionString: url });
  const tables: string[] = [];
  const table = (): string => {
    const name = `obi_test_${process.pid}_${tables.length}`;
    tables.push(name);
    return name;
  };
  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    for (const t of tables) await admin.query(`DROP TABLE IF EXISTS "${t}"`);
    await admin.end();
  });

  it('stores rows keyed by (exchange, market, symbol, ts) with their values; NaN becomes NULL', async () => {
    const t = table();
    const sink = await PostgresSink.open({ url: `${url}?table=${t}&batch=4`, columns, venue });
    const rows = [0, 1, 2, 3, 4].flatMap((i) => [row('BTCUSDT', i), row('ETHUSDT', i)]);
    for (const r of rows) await sink.write(r);
    await sink.close();
    expect(sink.rowsInserted).toBe(10);
    const res = await admin.query(
      `SELECT exchange, market, symbol, ts, "time_ms", "lastUpdateId", obi, mid_ret_fwd, reason, crossed FROM "${t}" ORDER BY symbol, ts`,
    );
    expect(res.rows).toHaveLength(10);
    const first = res.rows[0] as Record<string, unknown>;
    expect(first).toMatchObject({
      exchange: 'binance',
      market: 'spot',
      symbol: 'BTCUSDT',
      lastUpdateId: null,
      mid_ret_fwd: null,
      crossed: true,
    });
    expect((first['ts'] as Date).getTime()).toBe(1_723_161_255_000);
    const third = res.rows[2] as Record<string, unknown>;
    expect(third['reason']).toBe('tab\there, line\nthere, back\\slash');
    expect(third['time_ms']).toBe(1_723_161_255_200.25);
    const types = await admin.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
      [t],
    );
    expect(
      Object.fromEntries(
        types.rows.map((r: { column_name: string; data_type: string }) => [r.column_name, r.data_type]),
      ),
    ).toMatchObject({
      ts: 'timestamp with time zone',
      obi: 'double precision',
      lastUpdateId: 'double precision',
      status: 'text',
      crossed: 'boolean',
    });
  });

  it('is idempotent: writing the same rows again (a restart, a replay) adds nothing', async () => {
    const t = table();
    const rows = Array.from({ length: 25 }, (_, i) => row('BTCUSDT', i));
    const first = await PostgresSink.open({ url, table: t, columns, venue, batchRows: 7 });
    for (const r of rows.slice(0, 15)) await first.write(r);
    await first.close();
    const again = await PostgresSink.open({ url, table: t, columns, venue, batchRows: 7 });
    for (const r of rows) await again.write(r);
    await again.close();
    expect(again.rowsInserted).toBe(10);
    expect(again.rowsSkipped).toBe(15);
    const count = await admin.query(`SELECT count(*)::int AS n, count(DISTINCT ts)::int AS d FROM "${t}"`);
    expect(count.rows[0]).toEqual({ n: 25, d: 25 });
  });

  it('rows of another venue are other keys; a later run with a new column adds it', async () => {
    const t = table();
    const a = await PostgresSink.open({ url, table: t, columns, venue });
    await a.write(row('BTCUSDT', 1));
    await a.close();
    const b = await PostgresSink.open({
      url,
      table: t,
      columns: [...columns, 'ofi'],
      venue: { exchange: 'binance', market: 'futures' },
    });
    await b.write({ ...row('BTCUSDT', 1), ofi: 2.5 });
    await b.write({ ...row('BTCUSDT', 1), exchange: 'binance-us', market: 'spot', ofi: 1 });
    await b.close();
    const res = await admin.query(`SELECT exchange, market, ofi FROM "${t}" ORDER BY exchange, market`);
    expect(res.rows).toEqual([
      { exchange: 'binance', market: 'futures', ofi: 2.5 },
      { exchange: 'binance', market: 'spot', ofi: null },
      { exchange: 'binance-us', market: 'spot', ofi: 1 },
    ]);
  });

  it('property: any text survives COPY exactly', async () => {
    const t = table();
    const sink = await PostgresSink.open({
      url,
      table: t,
      columns: ['symbol', 'time_ms', 'reason'],
      venue,
      batchRows: 1000,
    });
    const texts = fc.sample(
      fc.string({ unit: 'binary' }).filter((s) => !s.includes('\u0000')),
      200,
    );
    for (const [i, reason] of texts.entries()) await sink.write({ symbol: 'X', time_ms: i, reason });
    await sink.close();
    const res = await admin.query(`SELECT reason FROM "${t}" ORDER BY ts`);
    expect(res.rows.map((r: { reason: string }) => r.reason)).toEqual(texts);
  });

  it('a failed batch rejects write/flush/close with an OutputError naming the table', async () => {
    const t = table();
    await admin.query(
      `CREATE TABLE "${t}" (exchange text, market text, symbol text, ts timestamptz, obi boolean, PRIMARY KEY (exchange, market, symbol, ts))`,
    );
    const sink = await PostgresSink.open({ url, table: t, columns: ['symbol', 'time_ms', 'obi'], venue });
    await sink.write({ symbol: 'X', time_ms: 1, obi: 0.5 });
    await expect(sink.flush()).rejects.toThrow(OutputError);
    await expect(sink.write({ symbol: 'X', time_ms: 2, obi: 0.5 })).rejects.toThrow(new RegExp(t));
    await expect(sink.close()).rejects.toThrow(OutputError);
  });

  it('an unreachable server is an OutputError at open', async () => {
    await expect(
      PostgresSink.open({ url: 'postgres://nobody@127.0.0.1:1/none', columns, venue }),
    ).rejects.toThrow(OutputError);
  });
});
