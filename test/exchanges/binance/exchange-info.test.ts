import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, HttpError, ParseError, UnknownSymbolError } from '../../../src/errors.js';
import { binanceEndpoints } from '../../../src/exchanges/binance/endpoints.js';
import {
  checkSymbols,
  exchangeInfoCosts,
  MAX_SYMBOLS_PER_EXCHANGE_INFO_QUERY,
  parseExchangeInfo,
  planExchangeInfo,
  suggestSymbols,
  validateSymbols,
} from '../../../src/exchanges/binance/exchange-info.js';
import { BinanceRestClient } from '../../../src/exchanges/binance/rest-client.js';
import { pollDepth } from '../../../src/exchanges/binance/rest-poller.js';
import { openWsDepthStream } from '../../../src/exchanges/binance/ws-depth-stream.js';
import { MAX_REQUEST_URL_BYTES } from '../../../src/exchanges/simulator/rest-api.js';
import { startSimulator, type RunningSimulator } from '../../../src/exchanges/simulator/server.js';
import type { SymbolSpec } from '../../../src/exchanges/simulator/symbol-spec.js';

// Trimmed from a real `GET /api/v3/exchangeInfo` answer (fields obi reads, plus a few it ignores).
const BODY = {
  timezone: 'UTC',
  serverTime: 1_700_000_000_000,
  rateLimits: [
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
    { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
  ],
  symbols: [
    {
      symbol: 'BTCUSDT',
      status: 'TRADING',
      baseAsset: 'BTC',
      filters: [
        {
          filterType: 'PRICE_FILTER',
          minPrice: '0.01000000',
          maxPrice: '1000000.00000000',
          tickSize: '0.01000000',
        },
      ],
    },
    { symbol: 'ETHUSDT', status: 'TRADING', filters: [] },
    { symbol: 'BTCUSDC', status: 'TRADING' },
    { symbol: 'BTCFDUSD', status: 'TRADING' },
    { symbol: 'LUNAUSDT', status: 'BREAK' },
    'garbage',
  ],
};

describe('parseExchangeInfo', () => {
  it('reads symbols, status, tick size and the per-minute weight limit', () => {
    const info = parseExchangeInfo(BODY, 'test');
    expect(info.weightLimitPerMinute).toBe(6000);
    expect(info.symbols.get('BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      status: 'TRADING',
      tickSize: '0.01000000',
    });
    expect(info.symbols.get('LUNAUSDT')?.status).toBe('BREAK');
    expect(info.symbols.get('ETHUSDT')?.tickSize).toBeNull();
    expect(info.symbols.size).toBe(5);
  });

  it('throws ParseError without a symbols array', () => {
    expect(() => parseExchangeInfo({ code: -1, msg: 'x' }, 'test')).toThrow(ParseError);
    expect(parseExchangeInfo({ symbols: [] }, 'test').weightLimitPerMinute).toBeNull();
  });
});

describe('suggestSymbols', () => {
  const known = ['BTCUSDT', 'ETHUSDT', 'BTCUSDC', 'BTCFDUSD', 'LUNAUSDT', 'ETHBTC'];

  it('puts the closest spelling first', () => {
    expect(suggestSymbols('BTCUSD', known)).toEqual(['BTCUSDC', 'BTCUSDT', 'BTCFDUSD']);
    expect(suggestSymbols('BTCUSTD', known)[0]).toBe('BTCUSDT'); // one transposition
    expect(suggestSymbols('ethusdt', known)).toEqual(['BTCUSDT']); // itself is not a suggestion
    expect(suggestSymbols('ETHUSTD', known)).toEqual(['ETHUSDT']);
  });

  it('falls back to prefix matches and says nothing when nothing is close', () => {
    expect(suggestSymbols('ETH', known)).toEqual(['ETHBTC', 'ETHUSDT']);
    expect(suggestSymbols('DOGEUSDT', known)).toEqual([]);
  });
});

describe('checkSymbols', () => {
  const info = parseExchangeInfo(BODY, 'test');

  it('returns the info of each symbol in order', () => {
    expect(checkSymbols(['ETHUSDT', 'BTCUSDT'], info, 'binance spot').map((s) => s.symbol)).toEqual([
      'ETHUSDT',
      'BTCUSDT',
    ]);
  });

  it('fails on an unknown symbol with suggestions', () => {
    let caught: unknown;
    try {
      checkSymbols(['BTCUSDT', 'BTCUSTD'], info, 'binance spot');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownSymbolError);
    expect((caught as UnknownSymbolError).symbol).toBe('BTCUSTD');
    expect((caught as UnknownSymbolError).suggestions[0]).toBe('BTCUSDT');
    expect((caught as Error).message).toMatch(/unknown symbol BTCUSTD; did you mean BTCUSDT/);
  });

  it('says the status of a symbol that is not TRADING', () => {
    expect(() => checkSymbols(['LUNAUSDT'], info, 'binance spot')).toThrow(ConfigError);
    expect(() => checkSymbols(['LUNAUSDT'], info, 'binance spot')).toThrow(/status BREAK, not TRADING/);
  });
});

describe('planExchangeInfo', () => {
  const spot = exchangeInfoCosts(binanceEndpoints('binance', 'spot'));
  const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `S${i}USDT`);

  it('asks for up to 100 symbols by name and for the whole list above, at weight 20 either way', () => {
    expect(planExchangeInfo(['BTCUSDT', 'ETHUSDT'], spot)).toEqual({
      kind: 'filtered',
      chunks: [['BTCUSDT', 'ETHUSDT']],
      weight: 20,
    });
    expect(planExchangeInfo(names(100), spot)).toMatchObject({ kind: 'filtered', weight: 20 });
    // Two filtered queries would cost 40; the whole list costs 20.
    expect(planExchangeInfo(names(101), spot)).toEqual({ kind: 'full', weight: 20 });
    expect(planExchangeInfo(names(1200), spot)).toEqual({ kind: 'full', weight: 20 });
    expect(planExchangeInfo([], spot)).toEqual({ kind: 'full', weight: 20 });
  });

  it('ignores duplicates (Binance answers -1151 to a repeated name)', () => {
    const plan = planExchangeInfo([...names(100), 'S0USDT', 'S1USDT'], spot);
    expect(plan.kind).toBe('filtered');
    expect(plan.kind === 'filtered' && plan.chunks.flat()).toEqual(names(100));
  });

  it('fetches the whole list where the venue has no filter (USD-M, weight 1)', () => {
    expect(planExchangeInfo(['BTCUSDT'], exchangeInfoCosts(binanceEndpoints('binance', 'futures')))).toEqual({
      kind: 'full',
      weight: 1,
    });
  });

  it('splits into chunks while they cost less than the whole list', () => {
    const cheapFilter = { filterable: true, filteredWeight: 2, fullWeight: 20, maxSymbolsPerQuery: 100 };
    const plan = planExchangeInfo(names(250), cheapFilter);
    expect(plan.kind === 'filtered' && plan.chunks.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(plan.weight).toBe(6);
    expect(planExchangeInfo(names(1000), cheapFilter)).toEqual({
      kind: 'filtered',
      chunks: expect.any(Array),
      weight: 20,
    });
    expect(planExchangeInfo(names(1001), cheapFilter)).toEqual({ kind: 'full', weight: 20 });
  });

  it('keeps a filtered URL of the longest symbols well under 8 KB', () => {
    const longest = Array.from(
      { length: MAX_SYMBOLS_PER_EXCHANGE_INFO_QUERY },
      (_, i) => `${'X'.repeat(16)}${String(i).padStart(4, '0')}`,
    );
    expect(longest.every((s) => s.length === 20)).toBe(true);
    const client = new BinanceRestClient({ baseUrl: 'https://data-api.binance.vision' });
    const url = client.url('/api/v3/exchangeInfo', { symbols: JSON.stringify(longest) });
    expect(url.length).toBeLessThan(MAX_REQUEST_URL_BYTES / 2);
  });
});

describe('symbol validation at scale, against the simulator', () => {
  // 1200 symbols: the whole list is one 20-weight request; naming them all would be a ~16 KB URL.
  const SYMBOLS = Array.from({ length: 1200 }, (_, i) => `S${String(i).padStart(4, '0')}USDT`);
  const specs: SymbolSpec[] = SYMBOLS.map((symbol) => ({
    symbol,
    baseAsset: symbol.slice(0, -4),
    quoteAsset: 'USDT',
    tickSize: '0.01',
    stepSize: '0.001',
    price: '10.00',
    orderSize: '1',
  }));
  const spot = binanceEndpoints('binance', 'spot');
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });

  async function setUp(): Promise<{ sim: RunningSimulator; client: BinanceRestClient }> {
    // A fixed venue clock keeps every request in one weight window; a small book keeps start-up fast.
    const sim = await startSimulator({
      symbols: specs,
      autoTick: false,
      clock: () => 1_700_000_000_000,
      flow: { restingOrders: 10 },
    });
    const client = new BinanceRestClient({ baseUrl: sim.url });
    open.push(client, sim);
    return { sim, client };
  }

  async function usedWeight(client: BinanceRestClient): Promise<number | null> {
    return (await client.get('/api/v3/time')).usedWeight1m; // weight 1
  }

  it('the simulator refuses a URL naming them all (431), as a front end would', async () => {
    const { client } = await setUp();
    const error = await client
      .get(spot.exchangeInfoPath, { symbols: JSON.stringify(SYMBOLS) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(431);
    expect(await usedWeight(client)).toBe(1); // refused before any weight was charged
  });

  it('validates 1200 symbols with one request for the whole list (weight 20)', async () => {
    const { client } = await setUp();
    const get = vi.spyOn(client, 'get');
    const info = await validateSymbols(client, spot, SYMBOLS);
    expect(info.symbols.size).toBe(1200);
    expect(info.weightLimitPerMinute).toBe(6000);
    expect(get.mock.calls.map(([path, query]) => [path, query])).toEqual([[spot.exchangeInfoPath, {}]]);
    expect(await usedWeight(client)).toBe(21);
  });

  it('validates 100 symbols with one request naming them', async () => {
    const { client } = await setUp();
    const get = vi.spyOn(client, 'get');
    const info = await validateSymbols(client, spot, SYMBOLS.slice(0, 100));
    expect(info.symbols.size).toBe(100);
    expect(get.mock.calls.map(([, query]) => query)).toEqual([
      { symbols: JSON.stringify(SYMBOLS.slice(0, 100)) },
    ]);
    expect(await usedWeight(client)).toBe(21);
  });

  it('names an unknown symbol among 1200 and suggests the close ones', async () => {
    const { client } = await setUp();
    const wanted = [...SYMBOLS.slice(0, 1100), 'S0042UDST'];
    const error = await validateSymbols(client, spot, wanted).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownSymbolError);
    expect((error as Error).message).toMatch(/^unknown symbol S0042UDST; did you mean S0042USDT/);
    expect(await usedWeight(client)).toBe(21); // the whole list once, no second request
  });

  it('the poller validates 1100 symbols before its budget check', async () => {
    const { sim, client } = await setUp();
    const poll = pollDepth({
      baseUrl: sim.url,
      exchange: 'binance',
      symbols: SYMBOLS.slice(0, 1100),
      intervalMs: 100,
      depthLimit: 5,
    });
    const error = await (async () => {
      for await (const event of poll) void event;
    })().catch((e: unknown) => e);
    // Past validation: refused by the weight budget (1100 symbols every 100 ms), not by a 431.
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^1100 symbols × weight 5 every 100 ms/);
    expect(await usedWeight(client)).toBe(21);
  });

  it('the websocket source fails on an unknown symbol among 1100 before connecting', async () => {
    const { sim } = await setUp();
    const stream = openWsDepthStream({
      exchange: 'binance',
      market: 'spot',
      symbols: [...SYMBOLS.slice(0, 1100), 'S0042UDST'],
      restBaseUrl: sim.url,
      wsBaseUrl: sim.wsUrl,
    });
    const error = await (async () => {
      for await (const input of stream) void input;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownSymbolError);
    expect((error as UnknownSymbolError).suggestions[0]).toBe('S0042USDT');
    expect(sim.connectionCount()).toBe(0);
  });
});

describe('validateSymbols behind a proxy with a shorter URL limit', () => {
  it('falls back to the whole list when a filtered query is refused with 431 or 414', async () => {
    for (const status of [431, 414]) {
      const seen: string[] = [];
      const server = createServer((req, res) => {
        seen.push(req.url ?? '');
        if ((req.url ?? '').includes('symbols=')) {
          res.writeHead(status).end('<html><body>too long</body></html>');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(BODY));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const client = new BinanceRestClient({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      });
      try {
        const info = await validateSymbols(client, binanceEndpoints('binance', 'spot'), [
          'BTCUSDT',
          'ETHUSDT',
        ]);
        expect(info.symbols.has('ETHUSDT')).toBe(true);
        expect(seen).toEqual([
          `/api/v3/exchangeInfo?symbols=${encodeURIComponent('["BTCUSDT","ETHUSDT"]')}`,
          '/api/v3/exchangeInfo',
        ]);
      } finally {
        await client.close();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });
});
