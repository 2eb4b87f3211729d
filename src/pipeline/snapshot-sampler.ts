/**
 * Snapshot sources (REST polling, tardis `book_snapshot_N`, obi recordings of polls) to samples: each
 * snapshot replaces that symbol's book and is one sample; each missing tick is one sample with no book.
 */
import type { BookSample } from '../core/book-sample.js';
import { createDepthView, type DepthView } from '../core/book/depth-view.js';
import { OrderBook } from '../core/book/order-book.js';
import type { MarketEvent, Trade } from '../events.js';

interface SymbolState {
  readonly book: OrderBook;
  readonly view: DepthView;
}

/**
 * Yields one sample per snapshot or missing event, in input order, and passes trades through unchanged (the
 * row pipeline computes trade-flow features from them). A sample's `view` belongs to the sampler and is
 * valid until the next sample of the same symbol (no allocation per sample).
 */
export async function* sampleSnapshots(
  events: AsyncIterable<MarketEvent>,
  depth: number,
): AsyncGenerator<BookSample | Trade> {
  const states = new Map<string, SymbolState>();
  const stateOf = (symbol: string): SymbolState => {
    let st = states.get(symbol);
    if (st === undefined) {
      st = { book: new OrderBook(), view: createDepthView(depth) };
      states.set(symbol, st);
    }
    return st;
  };
  for await (const e of events) {
    if (e.type === 'snapshot') {
      const st = stateOf(e.symbol);
      st.book.applySnapshot(e.bids, e.asks, e.depthLimit);
      st.book.readTop(depth, st.view);
      yield {
        symbol: e.symbol,
        timeMs: e.localTimeMs,
        status: 'ok',
        reason: '',
        lastUpdateId: e.lastUpdateId,
        exchangeTimeMs: e.exchangeTimeMs,
        receiveTimeMs: e.localTimeMs,
        requestTimeMs: e.requestTimeMs ?? null,
        view: st.view,
        crossed: st.book.isCrossed(),
        locked: st.book.isLocked(),
      };
    } else if (e.type === 'trade') {
      yield e;
    } else if (e.type === 'missing') {
      const st = stateOf(e.symbol);
      st.view.bidCount = 0;
      st.view.askCount = 0;
      yield {
        symbol: e.symbol,
        timeMs: e.localTimeMs,
        status: 'missing',
        reason: e.reason,
        lastUpdateId: null,
        exchangeTimeMs: null,
        receiveTimeMs: null,
        requestTimeMs: e.requestTimeMs ?? null,
        view: st.view,
        crossed: false,
        locked: false,
      };
    }
  }
}
