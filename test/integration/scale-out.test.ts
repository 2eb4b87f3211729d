/**
 * Scale-out end to end, with real components: two collectors poll the simulator (pollDepth →
 * sampleSnapshots → computeRows) and publish their rows to a private nats-server with JetStream; one
 * consumer reads them as a durable and writes them to PostgreSQL. nats-server is killed in the middle and
 * started again. Every row must arrive exactly once and in order per symbol; PostgreSQL must hold each row
 * once, also after a second consumer writes everything again.
 *
 * Skips without a nats-server binary; the PostgreSQL part skips without a server (OBI_PG_URL, or the port
 * scripts/start-services.sh uses).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeRows, type BusConsumerStats } from '../../src/bus/bus-consumer.js';
import { BusPublishing } from '../../src/bus/bus-publishing.js';
import { NatsRowPublisher } from '../../src/bus/nats-row-publisher.js';
import { featureColumns } from '../../src/core/row/column-schema.js';
import { pollDepth } from '../../src/exchanges/binance/rest-poller.js';
import { startSimulator, type RunningSimulator } from '../../src/exchanges/simulator/server.js';
import { PostgresSink } from '../../src/io/sinks/postgres-sink.js';
import type { Row, RowSink } from '../../src/io/sinks/row-sink.js';
import { resolveFeatureOptions, viewDepth } from '../../src/options.js';
import { computeRows } from '../../src/pipeline/compute-rows.js';
import { runToFiles } from '../../src/pipeline/run-to-files.js';
import { sampleSnapshots } from '../../src/pipeline/snapshot-sampler.js';
import { findNatsServer, startNatsServer, type NatsServerProcess } from '../bus/nats-server-process.js';

const NATS = findNatsServer();

async function findPostgres(): Promise<string | null> {
  for (const url of [process.env['OBI_PG_URL'], 'postgres://postgres@127.0.0.1:15432/obi']) {
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

/** Keeps every row written, as the collector handed it on. */
class MemorySink implements RowSink {
  readonly rows: Row[] = [];
  constructor(readonly columns: readonly string[]) {}
  async write(row: Row): Promise<void> {
    this.rows.push(Object.fromEntries(this.columns.map((c) => [c, row[c] ?? null])));
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

const venue = { exchange: 'binance', market: 'spot' } as const;
const features = resolveFeatureOptions({ intervalSec: 0.1 });
const columns = featureColumns(features);
const RUN_MS = 6_000;

const bySymbol = (rows: readonly Row[]): Map<string, Row[]> => {
  const out = new Map<string, Row[]>();
  for (const r of rows) out.set(r['symbol'] as string, [...(out.get(r['symbol'] as string) ?? []), r]);
  return out;
};

describe.skipIf(NATS === null)('scale-out: two collectors → NATS JetStream → one consumer', () => {
  let sim: RunningSimulator;
  let nats: NatsServerProcess;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 7, weightLimitPerMinute: 1_000_000 });
    nats = await startNatsServer(NATS as string);
    dir = await mkdtemp(join(tmpdir(), 'obi-scale-'));
  });
  afterAll(async () => {
    await sim?.close();
    await nats?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('every row arrives once and in order per symbol across a nats-server restart, and PostgreSQL holds each once', async () => {
    const table = `obi_scale_out_${process.pid}`;
    const busUrl = (name: string): string => `${nats.url}?outbox=${join(dir, name)}&ack-timeout=500ms`;
    const states: string[] = [];

    const collector = async (name: string, symbols: string[]) => {
      const bus = await BusPublishing.open(busUrl(name), {
        venue,
        symbols,
        onStateChange: (s) => states.push(`${name}:${s}`),
      });
      const kept = new MemorySink(columns);
      const events = pollDepth({
        exchange: 'binance',
        baseUrl: sim.url,
        symbols,
        intervalMs: 100,
        depthLimit: 20,
        durationMs: RUN_MS,
        weightLimitPerMinute: 1_000_000,
      });
      await runToFiles({
        rows: computeRows(sampleSnapshots(events, viewDepth(features)), features),
        sinks: [new NatsRowPublisher(bus, columns), kept],
        jsonPath: null,
        symbols,
        config: {},
        facts: { emaSpan: features.ema, levels: features.levels, intervalSec: 0.1, durationMin: null },
      });
      return { kept, stats: await bus.close(20_000) };
    };

    const pgSink =
      PG_URL === null ? null : await PostgresSink.open({ url: PG_URL, table, columns, venue, batchRows: 50 });
    const consumed: Row[] = [];
    let consumerStats: BusConsumerStats | null = null;
    const consumer = (async () => {
      for await (const e of consumeRows({
        url: nats.url,
        venue,
        durable: 'scale-out',
        ackWaitMs: 2_000,
        holdMs: 8_000,
        idleExitMs: 3_000,
        pullExpiresMs: 1_000,
        batch: 50,
        commit: async () => {
          await pgSink?.flush();
        },
        onProgress: (s) => (consumerStats = s),
      })) {
        consumed.push(e.row);
        await pgSink?.write(e.row);
      }
      await pgSink?.close();
    })();

    const restart = (async () => {
      await new Promise((r) => setTimeout(r, 2_000));
      await nats.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 1_500));
      await nats.start();
    })();

    const [one, two] = await Promise.all([
      collector('c1', ['BTCUSDT', 'ETHUSDT']),
      collector('c2', ['SOLUSDT']),
      restart,
    ]);
    await consumer;

    // The outage was real: both collectors buffered to disk and went live again, leaving nothing behind.
    expect(states).toEqual(expect.arrayContaining(['c1:buffering', 'c1:live', 'c2:buffering', 'c2:live']));
    expect(one.stats.outboxBytes).toBe(0);
    expect(two.stats.outboxBytes).toBe(0);

    const published = bySymbol([...one.kept.rows, ...two.kept.rows]);
    const received = bySymbol(consumed);
    expect([...received.keys()].sort()).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    for (const [symbol, rows] of published) {
      expect(rows.length).toBeGreaterThan(RUN_MS / 100 / 2);
      // Exactly once and in order: the same rows in the same order, cell for cell (NaN included).
      expect(received.get(symbol)).toEqual(rows);
    }
    expect(consumerStats).toMatchObject({ gaps: 0, late: 0, invalid: 0 });

    if (PG_URL !== null && pgSink !== null) {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try {
        const total = consumed.length;
        const count = async (): Promise<number> =>
          ((await admin.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0] as { n: number }).n;
        expect(await count()).toBe(total);
        expect(pgSink.rowsInserted).toBe(total);
        // A second consumer (its own durable: it sees everything again) writes every row once more.
        const again = await PostgresSink.open({ url: PG_URL, table, columns, venue });
        for await (const e of consumeRows({
          url: nats.url,
          venue,
          durable: 'scale-out-again',
          idleExitMs: 500,
          pullExpiresMs: 1_000,
        })) {
          await again.write(e.row);
        }
        await again.close();
        expect(again.rowsWritten).toBe(total);
        expect(again.rowsInserted).toBe(0);
        expect(await count()).toBe(total);
        const order = await admin.query(
          `SELECT symbol, time_ms FROM "${table}" WHERE symbol = 'SOLUSDT' ORDER BY ts`,
        );
        expect(order.rows.map((r: { time_ms: number }) => r.time_ms)).toEqual(
          published.get('SOLUSDT')!.map((r) => r['time_ms']),
        );
      } finally {
        await admin.query(`DROP TABLE IF EXISTS "${table}"`);
        await admin.end();
      }
    }
  });
});
