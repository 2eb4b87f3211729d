import { describe, expect, it } from 'vitest';
import { ConfigError, ParseError, UnknownSymbolError } from '../../../src/errors.js';
import {
  checkSymbols,
  parseExchangeInfo,
  suggestSymbols,
} from '../../../src/exchanges/binance/exchange-info.js';

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
