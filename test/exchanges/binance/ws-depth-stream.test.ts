/**
 * The live websocket source with the diff sampler against the simulated exchange on 127.0.0.1: sync,
 * heartbeats, connection rotation, faults, many symbols, USD-M futures.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../../src/exchanges/simulator/server.js';
import type { SymbolSpec } from '../../../src/exchanges/simulator/symbol-spec.js';
import { ConfigError } from '../../../src/errors.js';
import { openWsDepthStream } from '../../../src/exchanges/binance/ws-depth-stream.js';
import type { SampleCopy } from '../../pipeline/diff-events.js';
import { after, fullBookDifference, runLive, wrongRows } from './ws-harness.js';

let sim: RunningSimulator | undefined;

async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  sim = await startSimulator({ seed: 7, tickMs: 20, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** The samples of `symbol` from its first ok one on. */
function fromFirstOk(samples: readonly SampleCopy[], symbol: string): SampleCopy[] {
  const mine = samples.filter((s) => s.symbol === symbol);
  const first = mine.findIndex((s) => s.status === 'ok');
  return first < 0 ? [] : mine.slice(first);
}

describe('websocket depth against the simulator', () => {
  it('syncs every symbol, answers pings, and every row is the venue’s true book at its update id', async () => {
    // Pings every 300 ms; a connection without a pong for 1 s is dropped, well before the run ends: only
    // automatic pongs keep it. (Each pong counts towards the 5 incoming messages per second, as on Binance.)
    const venue = await start({ pingIntervalMs: 300, pongTimeoutMs: 1000 });
    const fullBookErrors: string[] = [];
    const run = await runLive(venue, {
      symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'],
      durationMs: 1500,
      onOk: (s, keeper) => {
        const d = fullBookDifference(venue, keeper, s.symbol);
        if (d !== null) fullBookErrors.push(d);
      },
    });
    expect(run.stream.stats.opened).toBe(1);
    expect(run.stream.stats.reconnects).toBe(0);
    for (const symbol of ['BTCUSDT', 'ETHUSDT', 'SOLUSDT']) {
      expect(fromFirstOk(run.samples, symbol).length).toBeGreaterThan(5);
      expect(fromFirstOk(run.samples, symbol).every((s) => s.status === 'ok')).toBe(true);
    }
    expect(wrongRows(venue, run.samples)).toEqual([]);
    expect(fullBookErrors).toEqual([]);
    // One snapshot per symbol, each recorded with the messages used.
    expect(run.stream.stats.snapshots.sent).toBe(3);
    expect(run.lines.filter((l) => l.k === 'rest_depth')).toHaveLength(3);
    expect(run.lines.filter((l) => l.k === 'rest_missing').map((l) => l.k === 'rest_missing' && l.r)).toEqual(
      [
        'stopped: the run reached its duration',
        'stopped: the run reached its duration',
        'stopped: the run reached its duration',
      ],
    );
  });

  it('replaces connections before their age limit and on serverShutdown without losing a row or a diff', async () => {
    const venue = await start();
    const symbols = ['BTCUSDT', 'ETHUSDT'];
    const run = await runLive(venue, {
      symbols,
      durationMs: 2000,
      stream: { maxConnectionAgeMs: 500 },
      during: () => {
        void after(1000).then(() => venue.faults.serverShutdown());
      },
    });
    expect(run.stream.stats.rotations).toBeGreaterThanOrEqual(2);
    expect(run.stream.stats.reconnects).toBe(0);
    // Each switch happened because the replacement caught up with the book, not by the timeout.
    const switches = run.statuses.filter((s) => s.detail.startsWith('switched'));
    expect(switches.length).toBeGreaterThanOrEqual(4);
    expect(switches.every((s) => s.detail === 'switched to the replacement connection')).toBe(true);
    expect(run.statuses.filter((s) => s.status === 'gap' || s.status === 'disconnected')).toEqual([]);
    for (const symbol of symbols) {
      const rows = fromFirstOk(run.samples, symbol);
      expect(rows.length).toBeGreaterThan(10);
      expect(rows.every((s) => s.status === 'ok')).toBe(true);
    }
    // The book never restarted: one sync per symbol.
    expect(run.statuses.filter((s) => s.status === 'synced')).toHaveLength(2);
    expect(wrongRows(venue, run.samples)).toEqual([]);
    // The diffs handed on chain without a hole or a repeat across every switch (spot: U = previous u + 1).
    for (const symbol of symbols) {
      const diffs = run.lines.flatMap((l) => {
        if (l.k !== 'ws') return [];
        // Diffs the scanner read are recorded as their text.
        const d: unknown = l.raw !== undefined ? JSON.parse(l.raw) : l.d;
        const data = (d as { data?: { s?: string; U?: number; u?: number } }).data;
        return data?.s === symbol && data.U !== undefined ? [[data.U, data.u as number] as const] : [];
      });
      for (let i = 1; i < diffs.length; i++) expect(diffs[i]?.[0]).toBe((diffs[i - 1]?.[1] as number) + 1);
    }
    expect(venue.connectionCount()).toBeLessThanOrEqual(1);
  });

  it('resyncs only the symbol with a gap; the others go on untouched', async () => {
    const venue = await start();
    const run = await runLive(venue, {
      symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'],
      durationMs: 1500,
      during: () => {
        void after(400).then(() => venue.faults.gap({ symbol: 'BTCUSDT' }));
        void after(900).then(() => venue.faults.gap({ symbol: 'BTCUSDT' }));
      },
    });
    const bySymbol = (symbol: string, status: string): number =>
      run.statuses.filter((s) => s.symbol === symbol && s.status === status).length;
    expect(bySymbol('BTCUSDT', 'gap')).toBe(2);
    expect(bySymbol('BTCUSDT', 'synced')).toBe(3);
    for (const symbol of ['ETHUSDT', 'SOLUSDT']) {
      expect(bySymbol(symbol, 'gap')).toBe(0);
      expect(bySymbol(symbol, 'synced')).toBe(1);
      expect(fromFirstOk(run.samples, symbol).every((s) => s.status === 'ok')).toBe(true);
    }
    expect(run.samples.filter((s) => s.symbol === 'BTCUSDT').at(-1)?.status).toBe('ok');
    expect(wrongRows(venue, run.samples)).toEqual([]);
  });

  it('reconnects with backoff after a dropped connection and resyncs every book', async () => {
    const venue = await start();
    const run = await runLive(venue, {
      symbols: ['BTCUSDT', 'ETHUSDT'],
      durationMs: 1500,
      during: () => {
        void after(500).then(() => venue.faults.dropConnections());
      },
    });
    expect(run.stream.stats.reconnects).toBe(1);
    expect(run.statuses.filter((s) => s.status === 'disconnected').map((s) => s.symbol)).toEqual([
      'BTCUSDT',
      'ETHUSDT',
    ]);
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const rows = run.samples.filter((s) => s.symbol === symbol);
      const lost = rows.findIndex((s) => s.reason.startsWith('disconnected:'));
      expect(lost).toBeGreaterThan(0);
      expect(rows.at(-1)?.status).toBe('ok');
    }
    expect(run.lines.some((l) => l.k === 'rest_missing' && l.r.startsWith('disconnected:'))).toBe(true);
    expect(wrongRows(venue, run.samples)).toEqual([]);
  });

  it('spreads many symbols over connections and subscribes within 5 control messages per second', async () => {
    const symbols = Array.from({ length: 24 }, (_, i) => `C${String(i).padStart(2, '0')}USDT`);
    const specs: SymbolSpec[] = symbols.map((symbol, i) => ({
      symbol,
      baseAsset: symbol.slice(0, 3),
      quoteAsset: 'USDT',
      tickSize: '0.01',
      stepSize: '0.001',
      price: String(10 + i),
      orderSize: '1',
      activity: 0.5,
    }));
    const venue = await start({ symbols: specs, eventsPerSecond: 20, maxIncomingPerSecond: 5 });
    const run = await runLive(venue, {
      symbols,
      durationMs: 2800,
      intervalMs: 200,
      // 8 streams per connection: 1 in the URL, then 7 SUBSCRIBE messages of one stream each.
      stream: { maxStreamsPerConnection: 8, maxUrlLength: 10, streamsPerSubscribe: 1 },
    });
    expect(run.stream.stats.opened).toBe(3);
    expect(run.stream.stats.reconnects).toBe(0);
    const last = run.samples.slice(-symbols.length);
    expect(last.map((s) => s.symbol).sort()).toEqual(symbols);
    expect(last.every((s) => s.status === 'ok')).toBe(true);
    expect(wrongRows(venue, run.samples)).toEqual([]);
  });

  it('keeps USD-M futures books with pu continuity, across a rotation', async () => {
    const venue = await start({ market: 'futures' });
    const run = await runLive(venue, {
      symbols: ['BTCUSDT', 'ETHUSDT'],
      market: 'futures',
      durationMs: 1400,
      stream: { maxConnectionAgeMs: 600 },
    });
    expect(run.stream.stats.rotations).toBeGreaterThanOrEqual(1);
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const rows = fromFirstOk(run.samples, symbol);
      expect(rows.length).toBeGreaterThan(5);
      expect(rows.every((s) => s.status === 'ok')).toBe(true);
    }
    expect(run.statuses.filter((s) => s.status === 'gap')).toEqual([]);
    expect(wrongRows(venue, run.samples)).toEqual([]);
    // Futures snapshots carry E: the first synced row has an exchange time.
    expect(fromFirstOk(run.samples, 'BTCUSDT')[0]?.exchangeTimeMs).not.toBeNull();
  });

  it('hands on each aggTrade once and in order, across a connection switch', async () => {
    const venue = await start();
    const run = await runLive(venue, {
      symbols: ['BTCUSDT', 'ETHUSDT'],
      durationMs: 1300,
      stream: { trades: true, maxConnectionAgeMs: 500 },
    });
    expect(run.stream.stats.rotations).toBeGreaterThanOrEqual(1);
    expect(run.trades.length).toBeGreaterThan(5);
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const ids = run.trades.filter((t) => t.symbol === symbol).map((t) => t.tradeId);
      const venueIds = venue.market
        .aggTradesSince(symbol, (ids[0] as number) - 1)
        .map((t) => t.aggTradeId)
        .filter((id) => id <= (ids.at(-1) as number));
      expect(ids).toEqual(venueIds);
    }
    const times = run.trades.map((t) => t.localTimeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('refuses options outside Binance’s limits before connecting', () => {
    const base = { exchange: 'binance' as const, symbols: ['BTCUSDT'] };
    expect(() => openWsDepthStream({ ...base, maxStreamsPerConnection: 2000 })).toThrow(ConfigError);
    expect(() => openWsDepthStream({ ...base, maxNewConnectionsPer5Min: 301 })).toThrow(ConfigError);
    expect(() => openWsDepthStream({ ...base, market: 'futures', snapshotLimit: 300 })).toThrow(ConfigError);
    expect(() => openWsDepthStream({ ...base, wsBaseUrl: 'http://example.com' })).toThrow(ConfigError);
  });
});
