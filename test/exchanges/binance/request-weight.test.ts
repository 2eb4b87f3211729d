import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import {
  cheaperDepthLimits,
  depthRequestWeight,
  FUTURES_DEPTH_LIMITS,
  normalizeDepthLimit,
} from '../../../src/exchanges/binance/request-weight.js';
import { binanceEndpoints } from '../../../src/exchanges/binance/endpoints.js';

describe('depthRequestWeight (BINANCE.md weight table)', () => {
  it('binance spot: 1–100 → 5, 101–500 → 25, 501–1000 → 50, 1001–5000 → 250', () => {
    const cases: [number, number][] = [
      [1, 5],
      [100, 5],
      [101, 25],
      [500, 25],
      [501, 50],
      [1000, 50],
      [1001, 250],
      [5000, 250],
      [9999, 250], // capped at 5000 first
    ];
    for (const [limit, weight] of cases) expect(depthRequestWeight('binance', 'spot', limit)).toBe(weight);
  });

  it('binance-us: 1/5/10/50 for the same bands', () => {
    expect(
      [1, 100, 101, 500, 501, 1000, 1001, 5000].map((l) => depthRequestWeight('binance-us', 'spot', l)),
    ).toEqual([1, 1, 5, 5, 10, 10, 50, 50]);
  });

  it('USD-M futures: 5–50 → 2, 100 → 5, 500 → 10, 1000 → 20', () => {
    expect(FUTURES_DEPTH_LIMITS.map((l) => depthRequestWeight('binance', 'futures', l))).toEqual([
      2, 2, 2, 2, 5, 10, 20,
    ]);
  });
});

describe('normalizeDepthLimit', () => {
  it('caps spot limits at 5000 as Binance does', () => {
    expect(normalizeDepthLimit('binance', 'spot', 20)).toBe(20);
    expect(normalizeDepthLimit('binance', 'spot', 5000)).toBe(5000);
    expect(normalizeDepthLimit('binance', 'spot', 6000)).toBe(5000);
  });

  it('refuses non-integers and values below 1', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => normalizeDepthLimit('binance', 'spot', bad)).toThrow(ConfigError);
    }
  });

  it('accepts only the allowed futures values', () => {
    expect(normalizeDepthLimit('binance', 'futures', 500)).toBe(500);
    expect(() => normalizeDepthLimit('binance', 'futures', 200)).toThrow(
      /one of 5, 10, 20, 50, 100, 500, 1000/,
    );
    expect(() => normalizeDepthLimit('binance', 'futures', 5000)).toThrow(ConfigError);
  });
});

describe('cheaperDepthLimits', () => {
  it('lists the top of each cheaper band, deepest first', () => {
    expect(cheaperDepthLimits('binance', 'spot', 1000)).toEqual([
      [500, 25],
      [100, 5],
    ]);
    expect(cheaperDepthLimits('binance', 'spot', 50)).toEqual([]);
    expect(cheaperDepthLimits('binance', 'futures', 500)).toEqual([
      [100, 5],
      [50, 2],
    ]);
  });
});

describe('binanceEndpoints', () => {
  it('knows hosts, paths and limits per venue', () => {
    const spot = binanceEndpoints('binance');
    expect(spot.restBaseUrl).toBe('https://data-api.binance.vision');
    expect(spot.restAlternatives).toContain('https://api.binance.com');
    expect(spot.depthPath).toBe('/api/v3/depth');
    expect(spot.weightLimitPerMinute).toBe(6000);
    expect(spot.wsBaseUrl).toBe('wss://data-stream.binance.vision');
    const futures = binanceEndpoints('binance', 'futures');
    expect([futures.restBaseUrl, futures.depthPath, futures.weightLimitPerMinute]).toEqual([
      'https://fapi.binance.com',
      '/fapi/v1/depth',
      2400,
    ]);
    const us = binanceEndpoints('binance-us');
    expect([us.restBaseUrl, us.wsBaseUrl, us.weightLimitPerMinute]).toEqual([
      'https://api.binance.us',
      'wss://stream.binance.us:9443',
      1200,
    ]);
    expect(() => binanceEndpoints('binance-us', 'futures')).toThrow(ConfigError);
  });
});
