import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import {
  combinedStreamUrl,
  diffStreamName,
  MAX_STREAMS_PER_CONNECTION,
  planStreams,
} from '../../../src/exchanges/binance/ws-stream-plan.js';
import { RateWindow } from '../../../src/exchanges/binance/ws-rate-window.js';

const BASE = 'wss://data-stream.binance.vision';

describe('diff stream names', () => {
  it('follows each market’s names and speeds', () => {
    expect(diffStreamName('BTCUSDT', 'spot')).toBe('btcusdt@depth@100ms');
    expect(diffStreamName('BTCUSDT', 'spot', '1000ms')).toBe('btcusdt@depth');
    expect(diffStreamName('BTCUSDT', 'futures', '250ms')).toBe('btcusdt@depth');
    expect(diffStreamName('BTCUSDT', 'futures', '500ms')).toBe('btcusdt@depth@500ms');
    expect(() => diffStreamName('BTCUSDT', 'spot', '250ms')).toThrow(ConfigError);
    expect(() => diffStreamName('BTCUSDT', 'futures', '1000ms')).toThrow(ConfigError);
  });

  it('builds combined-stream URLs', () => {
    expect(combinedStreamUrl(`${BASE}/`, ['a@depth', 'b@depth'])).toBe(
      `${BASE}/stream?streams=a@depth/b@depth`,
    );
  });
});

describe('planStreams', () => {
  const symbols = Array.from({ length: 2500 }, (_, i) => `S${i}USDT`);

  it('puts at most 1024 streams on a connection and keeps every symbol once, in order', () => {
    const plans = planStreams(symbols, { market: 'spot', wsBaseUrl: BASE });
    expect(plans.map((p) => p.streams.length)).toEqual([1024, 1024, 452]);
    expect(plans.flatMap((p) => p.symbols)).toEqual(symbols);
    for (const plan of plans) {
      const inUrl = (new URL(plan.url).searchParams.get('streams') ?? '').split('/');
      expect([...inUrl, ...plan.subscribeBatches.flat()]).toEqual(plan.streams);
      expect(plan.url.length).toBeLessThanOrEqual(4000);
      for (const batch of plan.subscribeBatches) expect(batch.length).toBeLessThanOrEqual(200);
    }
  });

  it('honours a lower cap, a short URL limit and a batch size', () => {
    const plans = planStreams(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT'], {
      market: 'spot',
      wsBaseUrl: BASE,
      maxStreamsPerConnection: 3,
      maxUrlLength: `${BASE}/stream?streams=btcusdt@depth@100ms/ethusdt@depth@100ms`.length,
      streamsPerSubscribe: 1,
    });
    expect(plans).toHaveLength(2);
    expect(plans[0]?.url).toBe(`${BASE}/stream?streams=btcusdt@depth@100ms/ethusdt@depth@100ms`);
    expect(plans[0]?.subscribeBatches).toEqual([['solusdt@depth@100ms']]);
    expect(plans[1]?.symbols).toEqual(['BNBUSDT', 'XRPUSDT']);
  });

  it('always opens with one stream in the URL, however short the limit', () => {
    const [plan] = planStreams(['BTCUSDT', 'ETHUSDT'], { market: 'spot', wsBaseUrl: BASE, maxUrlLength: 10 });
    expect(plan?.url).toBe(`${BASE}/stream?streams=btcusdt@depth@100ms`);
    expect(plan?.subscribeBatches).toEqual([['ethusdt@depth@100ms']]);
  });

  it('refuses more than Binance allows, and no symbols', () => {
    expect(() =>
      planStreams(['BTCUSDT'], {
        market: 'spot',
        wsBaseUrl: BASE,
        maxStreamsPerConnection: MAX_STREAMS_PER_CONNECTION + 1,
      }),
    ).toThrow(ConfigError);
    expect(() => planStreams([], { market: 'spot', wsBaseUrl: BASE })).toThrow(ConfigError);
  });
});

describe('RateWindow', () => {
  it('allows `limit` per window and says when the next one fits', () => {
    const w = new RateWindow(5, 1000);
    for (let i = 0; i < 5; i++) {
      expect(w.delayMs(100 * i)).toBe(0);
      w.record(100 * i);
    }
    // Sixth at 450: the spend at 0 leaves the window at 1000.
    expect(w.delayMs(450)).toBe(550);
    // At 1000 the spend at 0 is out (a spend counts for (t - window, t]).
    expect(w.delayMs(1000)).toBe(0);
    expect(w.used(1000)).toBe(4);
  });

  it('weighs spends and frees as many old ones as a large cost needs', () => {
    const w = new RateWindow(100, 60_000);
    w.record(0, 50);
    w.record(10_000, 25);
    w.record(20_000, 25);
    expect(w.delayMs(30_000, 25)).toBe(30_000);
    expect(w.delayMs(30_000, 60)).toBe(40_000);
    // A cost above the limit still goes into an empty window.
    expect(w.delayMs(200_000, 500)).toBe(0);
  });
});
