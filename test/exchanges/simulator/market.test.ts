import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryUnavailableError } from '../../../src/exchanges/simulator/change-log.js';
import { SimulatedMarket, type DepthBody } from '../../../src/exchanges/simulator/market.js';
import type { SymbolSpec } from '../../../src/exchanges/simulator/symbol-spec.js';
import { UnknownSymbolError } from '../../../src/errors.js';

const BTC: SymbolSpec = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  tickSize: '0.01',
  stepSize: '0.00001',
  price: '61837.63',
  orderSize: '0.02',
};

/** A small, fast market: one symbol, a modest book. */
function small(
  seed: number,
  extra: Partial<ConstructorParameters<typeof SimulatedMarket>[0]> = {},
): SimulatedMarket {
  return new SimulatedMarket({ seed, symbols: [BTC], flow: { restingOrders: 300 }, ...extra });
}

type Book = { bids: Map<string, string>; asks: Map<string, string> };

function toMaps(b: DepthBody): Book {
  return { bids: new Map(b.bids), asks: new Map(b.asks) };
}

function applyLevels(side: Map<string, string>, levels: readonly (readonly [string, string])[]): void {
  for (const [p, q] of levels) {
    if (Number(q) === 0) side.delete(p);
    else side.set(p, q);
  }
}

describe('SimulatedMarket', () => {
  it('is deterministic for a seed, whatever the time slicing', () => {
    const a = small(7);
    const b = small(7);
    a.advanceTo(30_000);
    for (let t = 0; t <= 30_000; t += 37) b.advanceTo(t);
    b.advanceTo(30_000);
    expect(a.lastUpdateId('BTCUSDT')).toBe(b.lastUpdateId('BTCUSDT'));
    expect(a.depth('BTCUSDT', 5000)).toEqual(b.depth('BTCUSDT', 5000));
    expect(a.recentAggTrades('BTCUSDT', 1000)).toEqual(b.recentAggTrades('BTCUSDT', 1000));
    const c = small(8);
    c.advanceTo(30_000);
    expect(c.depth('BTCUSDT', 20)).not.toEqual(a.depth('BTCUSDT', 20));
  });

  it('keeps each symbol on its own random stream (adding a symbol does not change another)', () => {
    const one = new SimulatedMarket({ seed: 3, symbols: [BTC], flow: { restingOrders: 300 } });
    const two = new SimulatedMarket({
      seed: 3,
      symbols: [BTC, { ...BTC, symbol: 'ETHUSDT', baseAsset: 'ETH', price: '3401.27', orderSize: '0.4' }],
      flow: { restingOrders: 300 },
    });
    one.advanceTo(10_000);
    two.advanceTo(10_000);
    expect(two.depth('BTCUSDT', 50)).toEqual(one.depth('BTCUSDT', 50));
  });

  it('formats prices and quantities as Binance 8-decimal strings on the tick and lot grid', () => {
    const m = small(1);
    m.advanceTo(5_000);
    const d = m.depth('BTCUSDT', 50);
    expect(d.bids.length).toBe(50);
    expect(d.asks.length).toBe(50);
    for (const [p, q] of [...d.bids, ...d.asks]) {
      expect(p).toMatch(/^\d+\.\d{2}000000$/);
      expect(q).toMatch(/^\d+\.\d{5}000$/);
      expect(Number(q)).toBeGreaterThan(0);
    }
    // best first, strictly ordered, never crossed
    const bids = d.bids.map(([p]) => Number(p));
    const asks = d.asks.map(([p]) => Number(p));
    for (let i = 1; i < bids.length; i++) expect(bids[i]).toBeLessThan(bids[i - 1] as number);
    for (let i = 1; i < asks.length; i++) expect(asks[i]).toBeGreaterThan(asks[i - 1] as number);
    expect(bids[0]).toBeLessThan(asks[0] as number);
  });

  it('uses the futures precision and sparse update ids on futures', () => {
    const m = new SimulatedMarket({ seed: 2, market: 'futures', flow: { restingOrders: 300 } });
    expect(m.symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    const before = m.lastUpdateId('BTCUSDT');
    let steps = 0;
    while (m.lastUpdateId('BTCUSDT') === before || steps < 200) {
      m.step();
      steps++;
    }
    const d = m.depth('BTCUSDT', 5);
    expect(d.bids[0]?.[0]).toMatch(/^\d+\.\d0$/); // tickSize "0.10" → two decimals
    expect(d.bids[0]?.[1]).toMatch(/^\d+\.\d{3}$/);
    expect(m.depth('SOLUSDT', 1).asks[0]?.[1]).toMatch(/^\d+$/); // stepSize "1"
    // ids advance by more than one per update somewhere (USD-M: U is not pu + 1)
    const diff = m.diffSince('BTCUSDT', before);
    expect(diff).not.toBeNull();
    const bookIds = new Set<number>();
    for (let id = before; id <= m.lastUpdateId('BTCUSDT'); id++)
      bookIds.add(m.bookAt('BTCUSDT', id).lastUpdateId);
    expect(bookIds.size).toBeLessThan(m.lastUpdateId('BTCUSDT') - before + 1);
  });

  it('bookAt replays the exact book at any retained update id; diffs chain onto it', () => {
    const m = small(11);
    m.advanceTo(2_000);
    const start = m.lastUpdateId('BTCUSDT');
    const startBook = m.bookAt('BTCUSDT', start);
    expect(startBook).toEqual(m.depth('BTCUSDT', 1_000_000));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }), (chunks) => {
        const mm = small(11);
        mm.advanceTo(2_000);
        const local = toMaps(mm.bookAt('BTCUSDT', start));
        let last = start;
        let t = 2_000;
        for (const ms of chunks) {
          t += ms;
          mm.advanceTo(t);
          const d = mm.diffSince('BTCUSDT', last);
          if (d === null) continue;
          expect(d.firstUpdateId).toBe(last + 1); // spot: U = previous u + 1
          applyLevels(local.bids, d.bids);
          applyLevels(local.asks, d.asks);
          last = d.finalUpdateId;
          expect(toMaps(mm.bookAt('BTCUSDT', last))).toEqual(local);
        }
        expect(toMaps(mm.depth('BTCUSDT', 1_000_000))).toEqual(local);
      }),
      { numRuns: 15 },
    );
  });

  it('aggregates: one diff covers many update ids with fewer levels than ids', () => {
    const m = small(5);
    m.advanceTo(1_000);
    const from = m.lastUpdateId('BTCUSDT');
    m.advanceTo(11_000);
    const d = m.diffSince('BTCUSDT', from);
    expect(d).not.toBeNull();
    const ids = (d?.finalUpdateId ?? 0) - (d?.firstUpdateId ?? 0) + 1;
    expect(ids).toBeGreaterThan((d?.bids.length ?? 0) + (d?.asks.length ?? 0));
    expect(d?.bids.some(([, q]) => q === '0.00000000') || d?.asks.some(([, q]) => q === '0.00000000')).toBe(
      true,
    );
  });

  it('records trades from market orders: ids consecutive, aggregate trades group one taker per price', () => {
    const m = small(9);
    m.advanceTo(60_000);
    const aggs = m.recentAggTrades('BTCUSDT', 1000);
    expect(aggs.length).toBeGreaterThan(10);
    const trades = m.tradesSince('BTCUSDT', (aggs[0]?.firstTradeId ?? 0) - 1);
    for (let i = 1; i < trades.length; i++)
      expect(trades[i]?.tradeId).toBe((trades[i - 1]?.tradeId ?? 0) + 1);
    for (const a of aggs) {
      const parts = trades.filter((t) => t.aggTradeId === a.aggTradeId);
      expect(parts.map((t) => t.tradeId)).toEqual(
        Array.from({ length: a.lastTradeId - a.firstTradeId + 1 }, (_, k) => a.firstTradeId + k),
      );
      const sumLots = parts.reduce((s, t) => s + Math.round(Number(t.qty) * 1e5), 0);
      expect(Math.round(Number(a.qty) * 1e5)).toBe(sumLots);
      expect(parts.every((t) => t.price === a.price && t.buyerIsMaker === a.buyerIsMaker)).toBe(true);
    }
    expect(aggs.some((a) => a.buyerIsMaker)).toBe(true);
    expect(aggs.some((a) => !a.buyerIsMaker)).toBe(true);
    expect(aggs.every((a) => a.timeMs <= 60_000)).toBe(true);
  });

  it('refuses history it no longer holds and symbols it does not simulate', () => {
    const m = small(4, { historyChanges: 200, checkpointEvery: 50 });
    const first = m.lastUpdateId('BTCUSDT');
    m.advanceTo(60_000);
    expect(m.oldestUpdateId('BTCUSDT')).toBeGreaterThan(first);
    expect(() => m.bookAt('BTCUSDT', first)).toThrow(HistoryUnavailableError);
    expect(() => m.diffSince('BTCUSDT', first)).toThrow(HistoryUnavailableError);
    expect(() => m.bookAt('BTCUSDT', m.lastUpdateId('BTCUSDT') + 1)).toThrow(HistoryUnavailableError);
    // the retained part still replays exactly
    const oldest = m.oldestUpdateId('BTCUSDT');
    const local = toMaps(m.bookAt('BTCUSDT', oldest));
    const d = m.diffSince('BTCUSDT', oldest);
    applyLevels(local.bids, d?.bids ?? []);
    applyLevels(local.asks, d?.asks ?? []);
    expect(toMaps(m.depth('BTCUSDT', 1_000_000))).toEqual(local);
    expect(() => m.depth('XYZUSDT', 5)).toThrow(UnknownSymbolError);
  });
});
