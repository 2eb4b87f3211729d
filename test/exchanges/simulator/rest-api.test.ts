import { afterEach, describe, expect, it } from 'vitest';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../../src/exchanges/simulator/server.js';

const MINUTE_START = 28_333_334 * 60_000; // an exact calendar minute

let sim: RunningSimulator | undefined;
let now = MINUTE_START + 15_000;

async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  now = MINUTE_START + 15_000;
  sim = await startSimulator({ autoTick: false, clock: () => now, seed: 5, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function get(path: string): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const res = await fetch(`${sim?.url ?? ''}${path}`);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

interface Depth {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
  E?: number;
  T?: number;
}

describe('simulator REST (spot)', () => {
  it('serves /api/v3/depth exactly: body, default limit, weight header, keep-alive', async () => {
    const s = await start();
    now += 2_000;
    s.tick();
    const r = await get('/api/v3/depth?symbol=BTCUSDT');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(r.headers.get('x-mbx-used-weight-1m')).toBe('5');
    expect(r.headers.get('connection')).toBe('keep-alive');
    const d = r.body as Depth;
    expect(Object.keys(d)).toEqual(['lastUpdateId', 'bids', 'asks']);
    expect(d.lastUpdateId).toBe(s.market.lastUpdateId('BTCUSDT'));
    expect(d.bids).toHaveLength(100);
    expect(d.asks).toHaveLength(100);
    expect(d).toEqual(s.market.depth('BTCUSDT', 100));
    expect(r.text).toMatch(/^\{"lastUpdateId":\d+,"bids":\[\["\d+\.\d{8}","\d+\.\d{8}"\]/);
  });

  it('charges weight by limit and truncates above 5000', async () => {
    await start();
    const cases: Array<[string, number, number]> = [
      ['1', 5, 1],
      ['100', 5, 100],
      ['101', 25, 101],
      ['500', 25, 500],
      ['501', 50, 501],
      ['1000', 50, 1000],
      ['1001', 250, 1001],
      ['5000', 250, 5000],
      ['9999', 250, 5000],
    ];
    let used = 0;
    for (const [limit, weight, levels] of cases) {
      const r = await get(`/api/v3/depth?symbol=ETHUSDT&limit=${limit}`);
      used += weight;
      expect(r.headers.get('x-mbx-used-weight-1m'), `limit=${limit}`).toBe(String(used));
      const d = r.body as Depth;
      const available = sim?.market.levelCounts('ETHUSDT').bids ?? 0;
      expect(d.bids.length).toBe(Math.min(levels, available));
    }
  });

  it('answers Binance errors for bad parameters and unknown symbols', async () => {
    await start();
    const cases: Array<[string, number, number]> = [
      ['/api/v3/depth?symbol=XYZUSDT', 400, -1121],
      ['/api/v3/depth', 400, -1102],
      ['/api/v3/depth?symbol=', 400, -1102],
      ['/api/v3/depth?symbol=btcusdt', 400, -1100],
      ['/api/v3/depth?symbol=BTCUSDT&limit=abc', 400, -1100],
      ['/api/v3/depth?symbol=BTCUSDT&limit=0', 400, -1130],
      ['/api/v3/exchangeInfo?symbol=NOPE', 400, -1121],
      ['/api/v3/exchangeInfo?symbols=["BTCUSDT","NOPE"]', 400, -1121],
      ['/api/v3/exchangeInfo?symbols=BTCUSDT', 400, -1100],
      ['/api/v3/exchangeInfo?symbols=["BTCUSDT","BTCUSDT"]', 400, -1151],
      ['/api/v3/aggTrades', 400, -1102],
    ];
    for (const [path, status, code] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(status);
      expect((r.body as { code: number }).code, path).toBe(code);
      expect(typeof (r.body as { msg: unknown }).msg).toBe('string');
    }
    const invalid = await get('/api/v3/depth?symbol=XYZUSDT');
    expect(invalid.body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    expect((await get('/api/v3/nothing')).status).toBe(404);
  });

  it('serves exchangeInfo (all, one, a list), time and ping', async () => {
    const s = await start();
    const all = (await get('/api/v3/exchangeInfo')).body as {
      serverTime: number;
      rateLimits: Array<{ rateLimitType: string; limit: number }>;
      symbols: Array<{
        symbol: string;
        status: string;
        baseAsset: string;
        quoteAsset: string;
        filters: Array<Record<string, string>>;
      }>;
    };
    expect(all.serverTime).toBe(now);
    expect(all.rateLimits[0]).toEqual({
      rateLimitType: 'REQUEST_WEIGHT',
      interval: 'MINUTE',
      intervalNum: 1,
      limit: 6000,
    });
    expect(all.symbols.map((x) => x.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    const btc = all.symbols[0];
    expect(btc).toMatchObject({ status: 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT' });
    expect(btc?.filters.find((f) => f['filterType'] === 'PRICE_FILTER')?.['tickSize']).toBe('0.01000000');
    expect(btc?.filters.find((f) => f['filterType'] === 'LOT_SIZE')?.['stepSize']).toBe('0.00001000');
    const one = await get('/api/v3/exchangeInfo?symbol=SOLUSDT');
    expect(one.headers.get('x-mbx-used-weight-1m')).toBe('40');
    expect((one.body as typeof all).symbols.map((x) => x.symbol)).toEqual(['SOLUSDT']);
    const list = await get(`/api/v3/exchangeInfo?symbols=${encodeURIComponent('["ETHUSDT","BTCUSDT"]')}`);
    expect((list.body as typeof all).symbols.map((x) => x.symbol)).toEqual(['ETHUSDT', 'BTCUSDT']);
    expect((await get('/api/v3/time')).body).toEqual({ serverTime: now });
    expect((await get('/api/v3/ping')).body).toEqual({});
    expect(s.market.symbols).toHaveLength(3);
  });

  it('serves aggTrades in Binance shape', async () => {
    const s = await start();
    now += 30_000;
    s.tick();
    const r = await get('/api/v3/aggTrades?symbol=BTCUSDT&limit=5');
    expect(r.headers.get('x-mbx-used-weight-1m')).toBe('4');
    const trades = r.body as Array<Record<string, unknown>>;
    expect(trades).toHaveLength(5);
    expect(Object.keys(trades[0] ?? {})).toEqual(['a', 'p', 'q', 'f', 'l', 'T', 'm', 'M']);
    const ids = trades.map((t) => t['a'] as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const from = await get(`/api/v3/aggTrades?symbol=BTCUSDT&fromId=${ids[1] ?? 0}&limit=2`);
    expect((from.body as Array<{ a: number }>).map((t) => t.a)).toEqual([ids[1], ids[2]]);
  });

  it('429s over the per-minute budget with Retry-After, then bans (418) an IP that keeps sending', async () => {
    await start({ banMs: 120_000 });
    const depth = '/api/v3/depth?symbol=BTCUSDT&limit=5000'; // weight 250: 24 per minute
    for (let i = 1; i <= 24; i++) {
      const r = await get(depth);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-mbx-used-weight-1m')).toBe(String(250 * i));
    }
    for (let i = 0; i < 3; i++) {
      const r = await get(depth);
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe(String(45 - i)); // seconds to the next calendar minute
      expect((r.body as { code: number }).code).toBe(-1003);
      expect((r.body as { msg: string }).msg).toMatch(/^Too much request weight used; current limit is 6000/);
      now += 1000;
    }
    const banned = await get('/api/v3/ping');
    expect(banned.status).toBe(418);
    expect(banned.headers.get('retry-after')).toBe('120');
    expect((banned.body as { code: number; msg: string }).msg).toMatch(/IP banned until \d+/);
    now += 61_000; // next minute: still banned
    const still = await get('/api/v3/time');
    expect(still.status).toBe(418);
    expect(still.headers.get('retry-after')).toBe('59');
    now += 60_000;
    const after = await get(depth);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-mbx-used-weight-1m')).toBe('250');
  });

  it('is deterministic for a seed: two simulators on the same clock serve the same book', async () => {
    const a = await start({ seed: 99 });
    const b = await startSimulator({ autoTick: false, clock: () => now, seed: 99 });
    try {
      now += 5_000;
      a.tick();
      b.tick();
      const ra = await fetch(`${a.url}/api/v3/depth?symbol=SOLUSDT&limit=50`);
      const rb = await fetch(`${b.url}/api/v3/depth?symbol=SOLUSDT&limit=50`);
      expect(await ra.text()).toBe(await rb.text());
    } finally {
      await b.close();
    }
  });
});

describe('simulator REST (USD-M futures)', () => {
  it('serves /fapi/v1/depth with futures limits, weights, E and T', async () => {
    const s = await start({ market: 'futures' });
    now += 1_000;
    s.tick();
    const r = await get('/fapi/v1/depth?symbol=BTCUSDT');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-mbx-used-weight-1m')).toBe('10');
    const d = r.body as Depth;
    expect(Object.keys(d)).toEqual(['lastUpdateId', 'E', 'T', 'bids', 'asks']);
    expect(d.E).toBe(now);
    expect(d.bids.length).toBe(Math.min(500, s.market.levelCounts('BTCUSDT').bids));
    expect(d.bids[0]?.[0]).toMatch(/^\d+\.\d0$/);
    const weights: Array<[number, number]> = [
      [5, 2],
      [50, 2],
      [100, 5],
      [1000, 20],
    ];
    let used = 10;
    for (const [limit, w] of weights) {
      used += w;
      const x = await get(`/fapi/v1/depth?symbol=BTCUSDT&limit=${limit}`);
      expect(x.headers.get('x-mbx-used-weight-1m')).toBe(String(used));
    }
    const bad = await get('/fapi/v1/depth?symbol=BTCUSDT&limit=7');
    expect(bad.status).toBe(400);
    expect((bad.body as { code: number }).code).toBe(-1130);
    const info = (await get('/fapi/v1/exchangeInfo')).body as {
      rateLimits: Array<{ limit: number }>;
      symbols: Array<{ pricePrecision: number; filters: Array<Record<string, string>> }>;
    };
    expect(info.rateLimits[0]?.limit).toBe(2400);
    expect(info.symbols[0]?.pricePrecision).toBe(2);
    expect(info.symbols[0]?.filters[0]?.['tickSize']).toBe('0.10');
    expect((await get('/api/v3/depth?symbol=BTCUSDT')).status).toBe(404);
  });
});
