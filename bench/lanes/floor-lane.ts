/**
 * A reference floor, not a library: JSON.parse, then each level's price and quantity to doubles (obi's
 * exact fast parser) into a bare sorted Float64Array book per side, with the top-L imbalance read straight
 * from it. No validation, no exact price identity, no known window, and only the minimal sequencing (diffs
 * before the snapshot are not buffered, diffs the snapshot already holds are dropped). It shows how close to
 * JSON.parse a consumer that keeps a sorted book at all can get on this machine.
 */
import { parseDecimal } from '../../src/core/book/price-parse.js';
import type { ReplayDataset } from '../replay-dataset.js';
import { imbalanceOf, type LaneResult, type ReplayLane } from './replay-lane.js';

type Level = readonly [string, string];

/** One side, best level last, keyed by sign × price so both sides ascend towards the touch. */
class BareSide {
  private keys = new Float64Array(1024);
  private qtys = new Float64Array(1024);
  private n = 0;

  constructor(private readonly sign: 1 | -1) {}

  set(level: Level): void {
    const key = this.sign * parseDecimal(level[0]);
    const q = parseDecimal(level[1]);
    const keys = this.keys;
    const n = this.n;
    let lo = 0;
    if (n === 0 || key > (keys[n - 1] as number)) {
      lo = n;
    } else {
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((keys[mid] as number) < key) lo = mid + 1;
        else hi = mid;
      }
    }
    if (lo < n && keys[lo] === key) {
      if (q !== 0) {
        this.qtys[lo] = q;
        return;
      }
      keys.copyWithin(lo, lo + 1, n);
      this.qtys.copyWithin(lo, lo + 1, n);
      this.n = n - 1;
    } else if (q !== 0) {
      if (n === keys.length) this.grow();
      this.keys.copyWithin(lo + 1, lo, n);
      this.qtys.copyWithin(lo + 1, lo, n);
      this.keys[lo] = key;
      this.qtys[lo] = q;
      this.n = n + 1;
    }
  }

  /** Returns [Σ qty, levels] over the best `max` levels. */
  top(max: number): [sum: number, count: number] {
    const k = Math.min(max, this.n);
    let sum = 0;
    for (let j = 1; j <= k; j++) sum += this.qtys[this.n - j] as number;
    return [sum, k];
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const qtys = new Float64Array(this.qtys.length * 2);
    qtys.set(this.qtys);
    this.keys = keys;
    this.qtys = qtys;
  }
}

interface Book {
  readonly bids: BareSide;
  readonly asks: BareSide;
  readonly lastUpdateId: number;
}

interface Line {
  readonly k: string;
  readonly s?: string;
  readonly d: {
    readonly stream?: string;
    readonly data?: Payload;
    readonly lastUpdateId?: number;
    readonly bids?: readonly Level[];
    readonly asks?: readonly Level[];
  };
}
interface Payload {
  readonly s: string;
  readonly u: number;
  readonly b: readonly Level[];
  readonly a: readonly Level[];
}

export const floorLane: ReplayLane = {
  name: 'floor: JSON.parse + bare Float64Array book',
  run(dataset: ReplayDataset, levels: number): LaneResult {
    const books = new Map<string, Book>();
    const lines = dataset.lines;
    // Binance: spot drops u <= lastUpdateId, futures u < lastUpdateId (BINANCE.md).
    const spot = dataset.market === 'spot';
    let samples = 0;
    let checksum = 0;
    for (let i = 0; i < lines.length; i++) {
      const v = JSON.parse(lines[i] as string) as Line;
      if (v.k === 'ws') {
        const p = v.d.stream !== undefined ? v.d.data : (v.d as unknown as Payload);
        if (p === undefined) continue;
        const book = books.get(p.s);
        if (book === undefined || (spot ? p.u <= book.lastUpdateId : p.u < book.lastUpdateId)) continue;
        for (const level of p.b) book.bids.set(level);
        for (const level of p.a) book.asks.set(level);
        const [bid, nb] = book.bids.top(levels);
        const [ask, na] = book.asks.top(levels);
        const obi = imbalanceOf(bid, ask, nb, na);
        if (Number.isNaN(obi)) continue;
        samples++;
        checksum += obi;
      } else if (v.k === 'rest_depth' && v.s !== undefined) {
        const book: Book = {
          bids: new BareSide(1),
          asks: new BareSide(-1),
          lastUpdateId: v.d.lastUpdateId ?? 0,
        };
        for (const level of v.d.bids ?? []) book.bids.set(level);
        for (const level of v.d.asks ?? []) book.asks.set(level);
        books.set(v.s, book);
      }
    }
    return { lines: lines.length, samples, checksum };
  },
};
