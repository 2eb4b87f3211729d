/**
 * The bus against a real nats-server (a private one per file, see nats-server-process.ts): publish and
 * consume round trips, work sharing, resuming a durable, and an outbox left by a run that ended during an
 * outage. Skips when no nats-server binary is installed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeBus, consumeRows, type BusConsumerStats } from '../../src/bus/bus-consumer.js';
import { BusPublishing } from '../../src/bus/bus-publishing.js';
import { NatsRowPublisher } from '../../src/bus/nats-row-publisher.js';
import { publishEvents } from '../../src/bus/publish-events.js';
import { NetworkError } from '../../src/errors.js';
import type { MarketEvent } from '../../src/events.js';
import { findNatsServer, startNatsServer, type NatsServerProcess } from './nats-server-process.js';

const NATS = findNatsServer();
const venue = { exchange: 'binance', market: 'spot' };
const columns = ['symbol', 'time_ms', 'obi', 'status'];

describe.skipIf(NATS === null)('bus through a real nats-server', () => {
  let server: NatsServerProcess;
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    server = await startNatsServer(NATS as string);
    dir = await mkdtemp(join(tmpdir(), 'obi-natsbus-'));
  });
  afterAll(async () => {
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });
  /** A URL with its own stream and outbox, so tests do not see each other's messages. */
  const url = (extra = ''): string => {
    n++;
    return `${server.url}?stream=T${n}&prefix=t${n}&outbox=${join(dir, `outbox-${n}`)}&ack-timeout=1s${extra}`;
  };
  const rowsOf = (symbols: readonly string[], count: number, t0 = 1_000) =>
    Array.from({ length: count }, (_, i) => ({
      symbol: symbols[i % symbols.length] as string,
      time_ms: t0 + i,
      obi: i % 5 === 0 ? Number.NaN : i / count,
      status: 'ok',
    }));
  const consumeAll = async (
    u: string,
    durable: string,
    extra: Partial<Parameters<typeof consumeRows>[0]> = {},
  ) => {
    const got: Record<string, unknown>[] = [];
    let stats: BusConsumerStats | null = null;
    for await (const e of consumeRows({
      url: u,
      venue,
      durable,
      idleExitMs: 300,
      pullExpiresMs: 1000,
      onProgress: (s) => (stats = s),
      ...extra,
    })) {
      got.push(e.row);
    }
    return { got, stats: stats as BusConsumerStats | null };
  };

  it('rows published through the RowSink come out once each, in order, exactly as written', async () => {
    const u = url();
    const bus = await BusPublishing.open(u, { venue, symbols: ['A', 'B', 'C'] });
    const sink = new NatsRowPublisher(bus, columns, true);
    const rows = rowsOf(['A', 'B', 'C'], 300);
    for (const r of rows) await sink.write(r);
    await sink.close();
    expect(bus.stats).toMatchObject({ acknowledged: 300, buffered: 0, outboxBytes: 0 });
    const { got, stats } = await consumeAll(u, 'all');
    expect(got).toEqual(rows);
    expect(stats).toMatchObject({ delivered: 300, duplicates: 0, gaps: 0 });
  });

  it('a symbol list on NATS 2.9 reads through one durable per symbol, and only those symbols', async () => {
    const u = url();
    const bus = await BusPublishing.open(u, { venue, symbols: ['A', 'B', 'C'] });
    for (const r of rowsOf(['A', 'B', 'C'], 90)) await bus.publishRow(r, columns);
    await bus.close();
    const { got } = await consumeAll(u, 'some', { symbols: ['A', 'C'] });
    const bySymbol = (s: string) => got.filter((r) => r['symbol'] === s).map((r) => r['time_ms']);
    expect(bySymbol('A')).toEqual(
      rowsOf(['A', 'B', 'C'], 90)
        .filter((r) => r.symbol === 'A')
        .map((r) => r.time_ms),
    );
    expect(bySymbol('C')).toHaveLength(30);
    expect(bySymbol('B')).toHaveLength(0);
  });

  it('separate durables each see everything; one shared durable splits the work with nothing twice', async () => {
    const u = url();
    const bus = await BusPublishing.open(u, { venue, symbols: ['A', 'B'] });
    const rows = rowsOf(['A', 'B'], 400);
    for (const r of rows) await bus.publishRow(r, columns);
    await bus.close();
    const [x, y] = await Promise.all([consumeAll(u, 'x'), consumeAll(u, 'y')]);
    expect(x.got).toHaveLength(400);
    expect(y.got).toHaveLength(400);
    // Work sharing: both consumers pull from the durable "shared"; order across them is not defined.
    const batch = { ordered: false, batch: 20 };
    const [p, q] = await Promise.all([consumeAll(u, 'shared', batch), consumeAll(u, 'shared', batch)]);
    const keys = [...p.got, ...q.got].map((r) => `${r['symbol']}@${r['time_ms']}`);
    expect(new Set(keys).size).toBe(400);
    expect(keys).toHaveLength(400);
    expect(p.got.length).toBeGreaterThan(0);
    expect(q.got.length).toBeGreaterThan(0);
  });

  it('a durable stopped half-way resumes after the last committed message: nothing lost, nothing twice', async () => {
    const u = url();
    const bus = await BusPublishing.open(u, { venue, symbols: ['A'] });
    const rows = rowsOf(['A'], 200);
    for (const r of rows) await bus.publishRow(r, columns);
    await bus.close();
    const first: unknown[] = [];
    const stop = new AbortController();
    let commits = 0;
    const opts = {
      url: u,
      venue,
      durable: 'r',
      batch: 25,
      pullExpiresMs: 1000,
      signal: stop.signal,
      commit: async () => void commits++,
    };
    for await (const e of consumeRows(opts)) {
      first.push(e.row['time_ms']);
      if (first.length === 110) stop.abort(); // e.g. Ctrl-C: what was taken is committed and acked
    }
    expect(first).toHaveLength(110);
    expect(commits).toBeGreaterThan(0);
    // A caller that breaks out of the loop may not have written the message it stopped at: it comes again.
    const second: unknown[] = [];
    for await (const e of consumeRows({ ...opts, signal: new AbortController().signal })) {
      second.push(e.row['time_ms']);
      if (second.length === 30) break;
    }
    const { got } = await consumeAll(u, 'r');
    expect([...first, ...second.slice(0, -1), ...got.map((r) => r['time_ms'])]).toEqual(
      rows.map((r) => r.time_ms),
    );
  });

  it('events published by the tap stage come out as the same events', async () => {
    const u = url('&publish=events');
    const bus = await BusPublishing.open(u, { venue, symbols: ['A'] });
    const events: MarketEvent[] = Array.from({ length: 20 }, (_, i) => ({
      type: 'snapshot',
      exchange: 'binance',
      market: 'spot',
      symbol: 'A',
      lastUpdateId: 100 + i,
      bids: [['10.0', '1']],
      asks: [['10.1', '2']],
      depthLimit: 20,
      exchangeTimeMs: null,
      localTimeMs: 5_000 + i * 100,
    }));
    const passed: MarketEvent[] = [];
    for await (const e of publishEvents(
      (async function* () {
        yield* events;
      })(),
      bus,
    ))
      passed.push(e);
    await bus.close();
    expect(passed).toEqual(events);
    const got: unknown[] = [];
    for await (const e of consumeBus({
      url: u,
      kind: 'events',
      venue,
      durable: 'ev',
      idleExitMs: 300,
      pullExpiresMs: 1000,
    })) {
      if (e.kind === 'events') got.push(e.event);
    }
    expect(got).toEqual(events);
  });

  it('a run that ends during an outage leaves its messages on disk; the next run sends them first', async () => {
    const outbox = join(dir, 'outage-outbox');
    const u = `${server.url}?stream=OUTAGE&prefix=outage&outbox=${outbox}&ack-timeout=300ms`;
    const first = await BusPublishing.open(u, { venue, symbols: ['A'] });
    const rows = rowsOf(['A'], 60);
    for (const r of rows.slice(0, 20)) await first.publishRow(r, columns);
    await first.flush();
    await server.stop('SIGTERM');
    for (const r of rows.slice(20, 40)) await first.publishRow(r, columns);
    const left = await first.close(500);
    expect(left.outboxBytes).toBeGreaterThan(0);
    await server.start();
    const second = await BusPublishing.open(u, { venue, symbols: ['A'] });
    for (const r of rows.slice(40)) await second.publishRow(r, columns);
    const done = await second.close(10_000);
    expect(done.outboxBytes).toBe(0);
    const { got, stats } = await consumeAll(u, 'after');
    expect(got.map((r) => r['time_ms'])).toEqual(rows.map((r) => r.time_ms));
    expect(stats?.gaps).toBe(0);
  });

  it('an unreachable server fails at open with a NetworkError naming it', async () => {
    await expect(BusPublishing.open('nats://127.0.0.1:1', { venue, symbols: ['A'] })).rejects.toThrow(
      NetworkError,
    );
  });
});
