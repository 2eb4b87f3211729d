/**
 * Turns the market's changes into Binance stream payloads on Binance's schedule
 * (web-socket-streams.md "Diff. Depth Stream", "Partial Book Depth Streams", "Trade Streams",
 * "Aggregate Trade Streams"; USD-M "Diff. Book Depth Streams" with `T` and `pu`).
 *
 * Each diff stream is one global sequence per symbol and speed, emitted whether or not anyone listens
 * (as on Binance): a subscriber joining late sees `U` continue from the previous event's `u + 1`
 * (spot) and `pu` equal to the previous event's `u` (futures). Intervals with no change send nothing.
 */
import type { SimulatedMarket } from './market.js';
import { parseStreamName, streamNamesFor, type StreamSpec } from './stream-name.js';

/** Where payloads go (the websocket hub). */
export interface StreamSink {
  subscriberCount(stream: string): number;
  publish(
    stream: string,
    payload: unknown,
    meta: { readonly symbol: string; readonly isDiff: boolean },
  ): void;
}

interface DepthStream {
  readonly name: string;
  readonly spec: Extract<StreamSpec, { kind: 'diff' | 'partial' }>;
  /** `u` of the previous event of this stream. */
  lastId: number;
  nextDueMs: number;
}

interface TradeCursor {
  trade: number;
  agg: number;
}

export class StreamPublisher {
  private readonly depth: DepthStream[] = [];
  private readonly cursors = new Map<string, TradeCursor>();
  private readonly futures: boolean;

  constructor(
    private readonly market: SimulatedMarket,
    private readonly sink: StreamSink,
    nowMs: number,
  ) {
    this.futures = market.marketType === 'futures';
    for (const symbol of market.symbols) {
      for (const name of streamNamesFor(symbol, market.marketType)) {
        const spec = parseStreamName(name, market.marketType);
        if (spec === null || (spec.kind !== 'diff' && spec.kind !== 'partial')) continue;
        this.depth.push({
          name,
          spec,
          lastId: market.lastUpdateId(symbol),
          nextDueMs: (Math.floor(nowMs / spec.intervalMs) + 1) * spec.intervalMs,
        });
      }
      this.cursors.set(symbol, { trade: market.lastTradeId(symbol), agg: market.lastAggTradeId(symbol) });
    }
  }

  /** Publishes every depth event due at `nowMs` and every trade not yet published. */
  publishDue(nowMs: number): void {
    const E = Math.floor(nowMs);
    for (const s of this.depth) {
      if (nowMs < s.nextDueMs) continue;
      s.nextDueMs = (Math.floor(nowMs / s.spec.intervalMs) + 1) * s.spec.intervalMs;
      if (s.spec.kind === 'diff') this.diff(s, E);
      else this.partial(s, E);
    }
    for (const [symbol, cursor] of this.cursors) this.trades(symbol, cursor, E);
  }

  private diff(s: DepthStream, E: number): void {
    const symbol = s.spec.symbol;
    const prev = s.lastId;
    if (this.sink.subscriberCount(s.name) === 0) {
      s.lastId = this.market.lastUpdateId(symbol);
      return;
    }
    if (prev < this.market.oldestUpdateId(symbol)) {
      // The history moved past this stream (only after a very long stall): continue from now, which a
      // client sees as a gap, as it would on Binance after a hiccup.
      s.lastId = this.market.lastUpdateId(symbol);
      return;
    }
    const d = this.market.diffSince(symbol, prev);
    if (d === null) return;
    s.lastId = d.finalUpdateId;
    const payload = this.futures
      ? {
          e: 'depthUpdate',
          E,
          T: E,
          s: symbol,
          U: d.firstUpdateId,
          u: d.finalUpdateId,
          pu: prev,
          b: d.bids,
          a: d.asks,
        }
      : { e: 'depthUpdate', E, s: symbol, U: d.firstUpdateId, u: d.finalUpdateId, b: d.bids, a: d.asks };
    this.sink.publish(s.name, payload, { symbol, isDiff: true });
  }

  private partial(s: DepthStream, E: number): void {
    const symbol = s.spec.symbol;
    const levels = (s.spec as { levels: number }).levels;
    const prev = s.lastId;
    const last = this.market.lastUpdateId(symbol);
    if (this.sink.subscriberCount(s.name) === 0) {
      s.lastId = last;
      return;
    }
    const book = this.market.depth(symbol, levels);
    if (!this.futures) {
      s.lastId = last;
      this.sink.publish(s.name, book, { symbol, isDiff: false });
      return;
    }
    // USD-M partial depth is a depthUpdate-shaped top-N with the id range since the previous event.
    if (prev < this.market.oldestUpdateId(symbol)) {
      s.lastId = last;
      return;
    }
    const d = this.market.diffSince(symbol, prev);
    if (d === null) return;
    s.lastId = last;
    this.sink.publish(
      s.name,
      {
        e: 'depthUpdate',
        E,
        T: E,
        s: symbol,
        U: d.firstUpdateId,
        u: last,
        pu: prev,
        b: book.bids,
        a: book.asks,
      },
      { symbol, isDiff: false },
    );
  }

  private trades(symbol: string, cursor: TradeCursor, E: number): void {
    const lower = symbol.toLowerCase();
    const tradeStream = `${lower}@trade`;
    const aggStream = `${lower}@aggTrade`;
    if (!this.futures && this.sink.subscriberCount(tradeStream) > 0) {
      for (const t of this.market.tradesSince(symbol, cursor.trade)) {
        this.sink.publish(
          tradeStream,
          {
            e: 'trade',
            E,
            s: symbol,
            t: t.tradeId,
            p: t.price,
            q: t.qty,
            T: t.timeMs,
            m: t.buyerIsMaker,
            M: true,
          },
          { symbol, isDiff: false },
        );
      }
    }
    if (this.sink.subscriberCount(aggStream) > 0) {
      for (const t of this.market.aggTradesSince(symbol, cursor.agg)) {
        const base = {
          e: 'aggTrade',
          E,
          s: symbol,
          a: t.aggTradeId,
          p: t.price,
          q: t.qty,
          f: t.firstTradeId,
          l: t.lastTradeId,
          T: t.timeMs,
          m: t.buyerIsMaker,
        };
        this.sink.publish(aggStream, this.futures ? base : { ...base, M: true }, { symbol, isDiff: false });
      }
    }
    cursor.trade = this.market.lastTradeId(symbol) || cursor.trade;
    cursor.agg = this.market.lastAggTradeId(symbol) || cursor.agg;
  }
}
