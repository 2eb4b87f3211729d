/**
 * One side of an order book: price levels in parallel arrays sorted so that the BEST level is LAST.
 * Most updates land near the touch, so inserts and deletes there shift only a few elements.
 *
 * Levels are ordered by a numeric key (price for bids, -price for asks, so both ladders ascend towards
 * the touch) and identified exactly by their decimal string (see price-compare.ts): doubles only order
 * and locate levels, they never merge two different prices.
 */
import type { PriceLevel } from '../../events.js';
import { compareDecimalStrings, isExactAsDouble } from './price-compare.js';

/** Which side of the book. */
export type BookSide = 'bids' | 'asks';

const INITIAL_CAPACITY = 256;

export class PriceLadder {
  /** +1 for bids, -1 for asks: `key = sign * price`. */
  private readonly sign: 1 | -1;
  private keys = new Float64Array(INITIAL_CAPACITY);
  private qtys = new Float64Array(INITIAL_CAPACITY);
  /** Kept exactly as the venue sent them (latest spelling), parallel to `keys`. */
  private readonly priceStrs: string[] = [];
  private readonly qtyStrs: string[] = [];
  private n = 0;
  /**
   * The known window (BINANCE.md: "Levels beyond the snapshot's depth stay unknown until they change").
   * Levels with key below `edgeKey` (or equal key but a worse decimal than `edgeStr`) lie beyond it;
   * they always sit at indices [0, beyond).
   */
  private edgeKey = -Infinity;
  private edgeStr: string | null = null;
  private beyond = 0;

  constructor(readonly side: BookSide) {
    this.sign = side === 'bids' ? 1 : -1;
  }

  /** Returns how many levels are stored, including those beyond the known window. */
  get count(): number {
    return this.n;
  }

  /** Returns how many levels lie inside the known window. */
  get knownDepth(): number {
    return this.n - this.beyond;
  }

  /** Returns the worst price still inside the known window, or null when the whole side is known. */
  get windowEdge(): string | null {
    return this.edgeStr;
  }

  /** Returns the best known price, or NaN when no level is known. */
  bestPrice(): number {
    return this.n > this.beyond ? this.sign * (this.keys[this.n - 1] as number) : NaN;
  }

  /** Returns the best known price as sent, or null when no level is known. */
  bestPriceString(): string | null {
    return this.n > this.beyond ? (this.priceStrs[this.n - 1] as string) : null;
  }

  /** Removes every level; the whole (empty) side counts as known. */
  clear(): void {
    this.n = 0;
    this.priceStrs.length = 0;
    this.qtyStrs.length = 0;
    this.edgeKey = -Infinity;
    this.edgeStr = null;
    this.beyond = 0;
  }

  /**
   * Replaces the side with snapshot levels given best first. When `depthLimit` is not null and the side
   * came back with at least that many levels, it was truncated: levels worse than its worst price are
   * unknown from now on.
   */
  replace(levels: readonly PriceLevel[], depthLimit: number | null): void {
    this.clear();
    if (!this.loadSorted(levels)) {
      // Not strictly best-first (or a duplicate price): fall back to one insert per level.
      this.clear();
      for (const level of levels) this.set(level[0], level[1]);
    }
    if (depthLimit !== null && levels.length >= depthLimit && this.n > 0) {
      this.edgeKey = this.keys[0] as number;
      this.edgeStr = this.priceStrs[0] as string;
    }
  }

  /**
   * Sets one level from a diff: absolute quantity, and a zero quantity ("0", "0.00000000") removes it.
   * Removing a level that is not there is normal (BINANCE.md, diff depth).
   */
  set(price: string, qty: string): void {
    const key = this.sign * Number(price);
    // Exact: a digits-only string under 64 characters is zero only when every digit is zero.
    const q = Number(qty);
    const found = this.find(key, price);
    if (found >= 0) {
      if (q === 0) {
        this.removeAt(found);
      } else {
        this.qtys[found] = q;
        this.qtyStrs[found] = qty;
        this.priceStrs[found] = price;
      }
    } else if (q !== 0) {
      this.insertAt(~found, key, price, q, qty);
    }
  }

  /**
   * Copies up to `max` known levels, best first, into `prices`/`qtys`. Returns how many were written.
   */
  readInto(prices: Float64Array, qtys: Float64Array, max: number): number {
    const k = Math.min(max, this.n - this.beyond, prices.length, qtys.length);
    const keys = this.keys;
    const qs = this.qtys;
    const top = this.n - 1;
    for (let j = 0; j < k; j++) {
      prices[j] = this.sign * (keys[top - j] as number);
      qtys[j] = qs[top - j] as number;
    }
    return k;
  }

  /** Returns the levels best first as `[price, qty]` strings as sent; `knownOnly` stops at the window. */
  toArray(knownOnly: boolean): Array<[price: string, qty: string]> {
    const stop = knownOnly ? this.beyond : 0;
    const out: Array<[string, string]> = [];
    for (let i = this.n - 1; i >= stop; i--)
      out.push([this.priceStrs[i] as string, this.qtyStrs[i] as string]);
    return out;
  }

  /** Fills from a strictly best-first list. Returns false (leaving garbage) when the list is not. */
  private loadSorted(levels: readonly PriceLevel[]): boolean {
    this.ensureCapacity(levels.length);
    const keys = this.keys;
    const qtys = this.qtys;
    const ps = this.priceStrs;
    const qs = this.qtyStrs;
    let n = 0;
    let prevKey = -Infinity;
    let prevStr = '';
    // Worst first, appending, so the string arrays stay packed (no holes).
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i] as PriceLevel;
      const q = Number(level[1]);
      if (q === 0) continue;
      const price = level[0];
      const key = this.sign * Number(price);
      if (key < prevKey || (key === prevKey && this.tie(price, prevStr) <= 0)) return false;
      keys[n] = key;
      qtys[n] = q;
      ps.push(price);
      qs.push(level[1]);
      n++;
      prevKey = key;
      prevStr = price;
    }
    this.n = n;
    return true;
  }

  /** Returns the index of the level with exactly this price, or `~insertionIndex` when absent. */
  private find(key: number, price: string): number {
    const keys = this.keys;
    const n = this.n;
    let lo = 0;
    let hi = n;
    // Updates cluster at the touch (the end): test there before bisecting.
    if (n > 0 && key > (keys[n - 1] as number)) return ~n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as number) < key) lo = mid + 1;
      else hi = mid;
    }
    // Equal doubles: the decimal strings decide (several distinct decimals may share one double).
    while (lo < n && keys[lo] === key) {
      const stored = this.priceStrs[lo] as string;
      if (stored === price) return lo;
      const c = this.tie(price, stored);
      if (c === 0) return lo;
      if (c < 0) break;
      lo++;
    }
    return ~lo;
  }

  /** Orders two prices whose keys are equal, in key order (ascending towards the touch). */
  private tie(a: string, b: string): number {
    if (a === b || (isExactAsDouble(a) && isExactAsDouble(b))) return 0;
    return this.sign * compareDecimalStrings(a, b);
  }

  private isBeyondWindow(key: number, price: string): boolean {
    if (key !== this.edgeKey) return key < this.edgeKey;
    return this.tie(price, this.edgeStr as string) < 0;
  }

  private insertAt(i: number, key: number, price: string, q: number, qty: string): void {
    const n = this.n;
    this.ensureCapacity(n + 1);
    const keys = this.keys;
    const qtys = this.qtys;
    if (i < n) {
      keys.copyWithin(i + 1, i, n);
      qtys.copyWithin(i + 1, i, n);
    }
    keys[i] = key;
    qtys[i] = q;
    const ps = this.priceStrs;
    const qs = this.qtyStrs;
    ps.push(price);
    qs.push(qty);
    for (let j = n; j > i; j--) {
      ps[j] = ps[j - 1] as string;
      qs[j] = qs[j - 1] as string;
    }
    ps[i] = price;
    qs[i] = qty;
    this.n = n + 1;
    if (this.edgeStr !== null && this.isBeyondWindow(key, price)) this.beyond++;
  }

  private removeAt(i: number): void {
    const n = this.n;
    if (i + 1 < n) {
      this.keys.copyWithin(i, i + 1, n);
      this.qtys.copyWithin(i, i + 1, n);
    }
    const ps = this.priceStrs;
    const qs = this.qtyStrs;
    for (let j = i; j < n - 1; j++) {
      ps[j] = ps[j + 1] as string;
      qs[j] = qs[j + 1] as string;
    }
    ps.pop();
    qs.pop();
    this.n = n - 1;
    if (i < this.beyond) this.beyond--;
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.keys.length) return;
    let cap = this.keys.length * 2;
    while (cap < needed) cap *= 2;
    const keys = new Float64Array(cap);
    keys.set(this.keys.subarray(0, this.n));
    const qtys = new Float64Array(cap);
    qtys.set(this.qtys.subarray(0, this.n));
    this.keys = keys;
    this.qtys = qtys;
  }
}
