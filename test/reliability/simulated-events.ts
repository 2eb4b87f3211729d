/**
 * Events of a simulated poll run without network or timers: the simulator's market stepped to each tick,
 * its book as REST-style snapshots (some ticks missing), and its aggregate trades in between — the input of
 * the real sampler and row pipeline, for tests that need whole runs quickly.
 */
import type { MarketEvent } from '../../src/events.js';
import { SimulatedMarket } from '../../src/exchanges/simulator/market.js';

export interface SimulatedEventsOptions {
  readonly seed: number;
  readonly symbols: readonly string[];
  readonly ticks: number;
  readonly intervalMs: number;
  /** Every n-th tick of each symbol is missing (0: none). */
  readonly missingEvery: number;
  readonly trades: boolean;
}

/** Returns the events of a simulated run, in the order a poller would yield them. */
export async function* simulatedEvents(o: SimulatedEventsOptions): AsyncGenerator<MarketEvent> {
  const start = Date.UTC(2024, 7, 8, 12, 0, 0);
  const market = new SimulatedMarket({ seed: o.seed, startTimeMs: start });
  const lastTrade = new Map(o.symbols.map((s) => [s, market.lastAggTradeId(s)]));
  for (let k = 0; k < o.ticks; k++) {
    const t = start + k * o.intervalMs;
    market.advanceTo(t);
    for (const symbol of o.symbols) {
      if (o.trades) {
        for (const trade of market.aggTradesSince(symbol, lastTrade.get(symbol) ?? 0)) {
          lastTrade.set(symbol, trade.aggTradeId);
          yield {
            type: 'trade',
            exchange: 'simulator',
            market: 'spot',
            symbol,
            tradeId: trade.aggTradeId,
            price: Number(trade.price),
            qty: Number(trade.qty),
            buyerIsMaker: trade.buyerIsMaker,
            exchangeTimeMs: trade.timeMs,
            localTimeMs: Math.max(trade.timeMs, t - o.intervalMs),
          };
        }
      }
      if (o.missingEvery > 0 && k % o.missingEvery === o.missingEvery - 1) {
        yield {
          type: 'missing',
          exchange: 'simulator',
          market: 'spot',
          symbol,
          reason: 'timeout after 2000 ms, "quoted", retried',
          localTimeMs: t,
          requestTimeMs: t - 2000,
        };
        continue;
      }
      const body = market.depth(symbol, 50);
      yield {
        type: 'snapshot',
        exchange: 'simulator',
        market: 'spot',
        symbol,
        lastUpdateId: body.lastUpdateId,
        bids: body.bids,
        asks: body.asks,
        depthLimit: 50,
        exchangeTimeMs: null,
        localTimeMs: t + 3 + (k % 7) + 0.123456,
        requestTimeMs: t,
      };
    }
  }
}
