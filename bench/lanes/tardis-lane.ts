/**
 * tardis-dev (tardis-node): its Binance book-change mapper (`normalizeBookChanges`, the one its
 * `replayNormalized` and `streamNormalized` use: buffering before the snapshot, first-event checks,
 * `Number()` prices into `{price, amount}` objects) feeding its `OrderBook` (red-black trees), with the top
 * L read through the `bids()`/`asks()` iterators. Snapshots enter as the `<symbol>@depthSnapshot` messages
 * tardis itself injects. Each message gets a `Date` for its local timestamp, as in tardis's replay.
 */
import { normalizeBookChanges, OrderBook, type BookChange } from 'tardis-dev';
import { packageVersion } from '../package-version.js';
import type { ReplayDataset } from '../replay-dataset.js';
import { imbalanceOf, type LaneResult, type ReplayLane } from './replay-lane.js';

interface Line {
  readonly t: number;
  readonly k: string;
  readonly s?: string;
  readonly d: { readonly stream?: string };
}

function topSum(levels: IterableIterator<{ amount: number }>, max: number): [sum: number, count: number] {
  let sum = 0;
  let count = 0;
  for (const level of levels) {
    if (count >= max) break;
    sum += level.amount;
    count++;
  }
  return [sum, count];
}

export const tardisLane: ReplayLane = {
  name: `tardis-dev ${packageVersion('tardis-dev')} (OrderBook)`,
  run(dataset: ReplayDataset, levels: number): LaneResult {
    const exchange =
      dataset.market === 'spot'
        ? 'binance'
        : dataset.market === 'usdm'
          ? 'binance-futures'
          : 'binance-delivery';
    const lines = dataset.lines;
    let mapper: ReturnType<typeof normalizeBookChanges> | null = null;
    const books = new Map<string, OrderBook>();
    let samples = 0;
    let checksum = 0;
    for (let i = 0; i < lines.length; i++) {
      const v = JSON.parse(lines[i] as string) as Line;
      let message: unknown;
      if (v.k === 'ws') message = v.d;
      else if (v.k === 'rest_depth' && v.s !== undefined)
        message = { stream: `${v.s.toLowerCase()}@depthSnapshot`, generated: true, data: v.d };
      else continue;
      const localTimestamp = new Date(v.t);
      mapper ??= normalizeBookChanges(exchange, localTimestamp);
      if (!mapper.canHandle(message)) continue;
      for (const change of mapper.map(message, localTimestamp) as IterableIterator<BookChange>) {
        let book = books.get(change.symbol);
        if (book === undefined) {
          book = new OrderBook();
          books.set(change.symbol, book);
        }
        book.update(change);
        if (change.isSnapshot) continue;
        const [bid, nb] = topSum(book.bids(), levels);
        const [ask, na] = topSum(book.asks(), levels);
        const obi = imbalanceOf(bid, ask, nb, na);
        if (Number.isNaN(obi)) continue;
        samples++;
        checksum += obi;
      }
    }
    return { lines: lines.length, samples, checksum };
  },
};
