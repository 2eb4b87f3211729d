/**
 * ccxt.pro (the `ccxt` package's websocket half): its Binance class's own `handleOrderBook` applies each
 * parsed depthUpdate to its `OrderBook` (float prices via `safeFloat`, `Bids`/`Asks` sorted arrays with a
 * Float64Array index) under its version of Binance's sync rules, exactly as it does for live messages; the
 * stub client stands in for the socket and resolves nothing. Snapshots go through `parseOrderBook` and the
 * same cache-unrolling steps as its `fetchOrderBookSnapshot`. The imbalance reads `bids[i][1]` for the top L.
 */
import ccxt from 'ccxt';
import { packageVersion } from '../package-version.js';
import type { ReplayDataset } from '../replay-dataset.js';
import { imbalanceOf, type LaneResult, type ReplayLane } from './replay-lane.js';

/** The slice of ccxt's untyped (`@ts-nocheck`) order book this lane touches. */
interface CcxtSide {
  readonly length: number;
  readonly [index: number]: readonly [number, number];
}
interface CcxtOrderBook {
  readonly bids: CcxtSide;
  readonly asks: CcxtSide;
  nonce: number | undefined;
  cache: unknown[];
  reset(snapshot: unknown): void;
}
interface CcxtSnapshot {
  nonce?: number;
}
/** The methods of ccxt's Binance pro class used here (all public JavaScript methods). */
interface CcxtBinancePro {
  orderbooks: Record<string, CcxtOrderBook>;
  orderBook(snapshot: object, depth: number | undefined): CcxtOrderBook;
  parseOrderBook(body: unknown, symbol: string): CcxtSnapshot;
  handleOrderBook(client: unknown, message: unknown): void;
  handleOrderBookMessage(client: unknown, message: unknown, orderbook: CcxtOrderBook): void;
}

interface Line {
  readonly k: string;
  readonly s?: string;
  readonly d: { readonly lastUpdateId?: number; readonly stream?: string; readonly data?: DepthUpdate };
}
interface DepthUpdate {
  readonly s: string;
  readonly U: number;
  readonly u: number;
  readonly pu?: number;
}

function exchangeFor(dataset: ReplayDataset): CcxtBinancePro {
  const pro = ccxt.pro as unknown as Record<string, new () => unknown>;
  const name =
    dataset.market === 'spot' ? 'binance' : dataset.market === 'usdm' ? 'binanceusdm' : 'binancecoinm';
  const Exchange = pro[name] as new () => unknown;
  return new Exchange() as CcxtBinancePro;
}

/** ccxt's fetchOrderBookSnapshot after the REST call: reset, then replay the cached deltas by its rules. */
function applySnapshot(
  ex: CcxtBinancePro,
  client: unknown,
  ob: CcxtOrderBook,
  snapshot: CcxtSnapshot,
  futures: boolean,
): void {
  ob.reset(snapshot);
  const messages = ob.cache as DepthUpdate[];
  ob.cache = [];
  for (const m of messages) {
    const nonce = ob.nonce as number;
    if (futures) {
      if (m.u < nonce) continue;
      if ((m.U <= nonce && m.u >= nonce) || m.pu === nonce) ex.handleOrderBookMessage(client, m, ob);
    } else {
      if (m.u <= nonce) continue;
      if (m.U - 1 <= nonce && m.u - 1 >= nonce) ex.handleOrderBookMessage(client, m, ob);
    }
  }
}

export const ccxtLane: ReplayLane = {
  name: `ccxt ${packageVersion('ccxt')} (ccxt.pro OrderBook)`,
  run(dataset: ReplayDataset, levels: number): LaneResult {
    const ex = exchangeFor(dataset);
    const futures = dataset.market !== 'spot';
    const client = {
      url: futures ? 'wss://fstream.binance.com/stream' : 'wss://stream.binance.com:9443/stream',
      subscriptions: {},
      resolve(): void {},
      reject(error: unknown): void {
        throw error;
      },
    };
    const books = ex.orderbooks;
    const lines = dataset.lines;
    let samples = 0;
    let checksum = 0;
    for (let i = 0; i < lines.length; i++) {
      const v = JSON.parse(lines[i] as string) as Line;
      if (v.k === 'ws') {
        const m = v.d.stream !== undefined ? v.d.data : (v.d as unknown as DepthUpdate);
        if (m === undefined) continue;
        // watchOrderBook creates the book before the first message; deltas before the snapshot are cached.
        const ob = (books[m.s] ??= ex.orderBook({}, undefined));
        ex.handleOrderBook(client, m);
        if (ob.nonce === undefined) continue;
        let bid = 0;
        let ask = 0;
        const nb = Math.min(levels, ob.bids.length);
        const na = Math.min(levels, ob.asks.length);
        for (let j = 0; j < nb; j++) bid += (ob.bids[j] as readonly [number, number])[1];
        for (let j = 0; j < na; j++) ask += (ob.asks[j] as readonly [number, number])[1];
        const obi = imbalanceOf(bid, ask, nb, na);
        if (Number.isNaN(obi)) continue;
        samples++;
        checksum += obi;
      } else if (v.k === 'rest_depth' && v.s !== undefined) {
        const ob = (books[v.s] ??= ex.orderBook({}, undefined));
        const snapshot = ex.parseOrderBook(v.d, v.s);
        snapshot.nonce = v.d.lastUpdateId as number;
        applySnapshot(ex, client, ob, snapshot, futures);
      }
    }
    return { lines: lines.length, samples, checksum };
  },
};
