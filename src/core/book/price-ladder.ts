/**
 * One side of an order book: price levels sorted so that the BEST level is LAST. An insert or delete
 * shifts only the levels better than it, i.e. its distance from the touch (a median of about 100 levels
 * in the recorded BTCUSDT streams, against thousands for best-first storage).
 *
 * Levels are ordered by a numeric key (price for bids, -price for asks, so both ladders ascend towards
 * the touch) and identified exactly by their decimal string (see price-compare.ts): doubles only order
 * and locate levels, they never merge two different prices. Only the sorted keys and slot numbers shift
 * (typed arrays: a memmove); quantities stay put in a slot pool the slots point into.
 *
 * A level removed far from the touch leaves a gap (its slot set to GAP, its key kept, so the keys stay
 * sorted) instead of shifting every better level down, and an insert far from the touch moves only the
 * levels between it and the nearest gap. On the simulated 100-symbol stream a quarter of the updates
 * insert or remove a level, on average 500 levels from the touch: 127 entries shifted per update, 6.5
 * with gaps (bench/README.md). Gaps stay inside the known window and never at the
 * touch; reads skip them, and they are squeezed out when they reach a quarter of the side.
 *
 * A level's strings are not stored when its double and its count of fraction digits give them back
 * (`fixedPlaces`, price-parse.ts: "61837.63000000" is 61837.63 written with 8 places): nearly every
 * level of every venue. Storing a string per update was most of a diff's cost: each one is a new object
 * written into an old array (a write barrier and a remembered-set entry), promoted by the next scavenge
 * and later swept, and comparing it to the stored one read a cold string. Only the rare spellings that
 * cannot be rebuilt that way (more digits than a double holds, a leading zero) keep their string.
 */
import type { PriceLevel } from '../../events.js';
import { compareDecimalStrings, isExactAsDouble } from './price-compare.js';
import { fixedPlaces, parseDecimal } from './price-parse.js';

/** Which side of the book. */
export type BookSide = 'bids' | 'asks';

const INITIAL_CAPACITY = 256;
/**
 * Shifts of at most this many levels are a loop: `copyWithin` is a call into the runtime that costs more
 * than moving a few dozen numbers, and most shifts are that short (updates cluster at the touch).
 */
const SHORT_SHIFT = 32;
/** The slot of a gap: a removed level whose key is kept so that the keys stay sorted. */
const GAP = -1;
/** How far from an insert a gap is looked for (both ways) before shifting to the touch instead. */
const GAP_REACH = 64;
/** Gaps are squeezed out once there are more than this many and a quarter of the side's entries. */
const MIN_GAPS_TO_SQUEEZE = 64;
/** V8 makes a substring of at least this many characters a view into its parent (a SlicedString). */
const SLICED_STRING_MIN_LENGTH = 13;

/**
 * Returns `s` as a string that does not share memory with a larger one. Prices and quantities read by
 * the depth-update scanner are substrings of the whole message; stored in the book as they are, each one
 * of 13 characters or more ("61737.63000000") would keep its message's text alive for as long as the
 * level lives. Pieces shorter than 13 characters are copies, so the joined pieces own their characters.
 */
function detached(s: string): string {
  if (s.length < SLICED_STRING_MIN_LENGTH) return s;
  let out = s.slice(0, SLICED_STRING_MIN_LENGTH - 1);
  for (let i = SLICED_STRING_MIN_LENGTH - 1; i < s.length; i += SLICED_STRING_MIN_LENGTH - 1) {
    out += s.slice(i, i + SLICED_STRING_MIN_LENGTH - 1);
  }
  return out;
}

export class PriceLadder {
  /** +1 for bids, -1 for asks: `key = sign * price`. */
  private readonly sign: 1 | -1;
  // Sorted, parallel: the key and the pool slot holding everything else about the level.
  private keys = new Float64Array(INITIAL_CAPACITY);
  private slots = new Int32Array(INITIAL_CAPACITY);
  /** Entries in use, gaps included; `gaps` of them, all at indices in [beyond, n - 1). */
  private n = 0;
  private gaps = 0;
  /** By slot: the parsed quantity. */
  private poolQtyNum = new Float64Array(INITIAL_CAPACITY);
  /**
   * By slot: the fraction digits the price and the quantity were last sent with (`fixedPlaces`), or -1
   * when the string itself is kept in `poolPrice`/`poolQty` ('' there otherwise). A price with places
   * set is identified by its double.
   */
  private poolPricePlaces = new Int8Array(INITIAL_CAPACITY);
  private poolQtyPlaces = new Int8Array(INITIAL_CAPACITY);
  private readonly poolPrice: string[] = [];
  private readonly poolQty: string[] = [];
  /** Stack of free slots. */
  private free = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
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
    return this.n - this.gaps;
  }

  /** Returns how many levels lie inside the known window. */
  get knownDepth(): number {
    return this.n - this.beyond - this.gaps;
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
    return this.n > this.beyond ? this.priceAt(this.n - 1) : null;
  }

  /** Removes every level; the whole (empty) side counts as known. */
  clear(): void {
    this.n = 0;
    this.gaps = 0;
    this.poolPrice.length = 0;
    this.poolQty.length = 0;
    this.freeCount = 0;
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
      this.edgeStr = this.priceAt(0);
    }
  }

  /**
   * Sets one level from a diff: absolute quantity, and a zero quantity ("0", "0.00000000") removes it.
   * Removing a level that is not there is normal (BINANCE.md, diff depth).
   */
  set(price: string, qty: string): void {
    const key = this.sign * parseDecimal(price);
    // Exact: a digits-only string under 64 characters is zero only when every digit is zero.
    const q = parseDecimal(qty);
    this.apply(key, price, fixedPlaces(price), q, qty, fixedPlaces(qty));
  }

  /**
   * Sets one level read as numbers (ParsedLevels): the same as `set` with the strings that `price` and
   * `qty` written with `pricePlaces` and `qtyPlaces` fraction digits are (both places at least 0).
   */
  setParsed(price: number, pricePlaces: number, qty: number, qtyPlaces: number): void {
    this.apply(this.sign * price, null, pricePlaces, qty, null, qtyPlaces);
  }

  /**
   * The one update behind `set` and `setParsed`. A null string is the number written with its places
   * (places >= 0 then); a string is kept only where its places are -1.
   */
  private apply(
    key: number,
    price: string | null,
    places: number,
    q: number,
    qty: string | null,
    qtyPlaces: number,
  ): void {
    const found = this.find(key, price, places);
    if (found >= 0) {
      if (q === 0) {
        this.removeAt(found);
      } else {
        const slot = this.slots[found] as number;
        this.poolQtyNum[slot] = q;
        this.storeQty(slot, qty, qtyPlaces);
        // The same decimal, and nearly always the same spelling: rewritten only when it differs.
        if ((this.poolPricePlaces[slot] as number) !== places || places < 0)
          this.storePrice(slot, price, places);
      }
    } else if (q !== 0) {
      this.insertAt(~found, key, price, places, q, qty, qtyPlaces);
    }
  }

  /**
   * Copies up to `max` known levels, best first, into `prices`/`qtys`. Returns how many were written.
   */
  readInto(prices: Float64Array, qtys: Float64Array, max: number): number {
    const k = Math.min(max, this.knownDepth, prices.length, qtys.length);
    const keys = this.keys;
    const slots = this.slots;
    const qs = this.poolQtyNum;
    let i = this.n - 1;
    for (let j = 0; j < k; i--) {
      const slot = slots[i] as number;
      if (slot === GAP) continue;
      prices[j] = this.sign * (keys[i] as number);
      qtys[j] = qs[slot] as number;
      j++;
    }
    return k;
  }

  /** Returns the levels best first as `[price, qty]` strings as sent; `knownOnly` stops at the window. */
  toArray(knownOnly: boolean): Array<[price: string, qty: string]> {
    const stop = knownOnly ? this.beyond : 0;
    const out: Array<[string, string]> = [];
    for (let i = this.n - 1; i >= stop; i--) {
      const slot = this.slots[i] as number;
      if (slot === GAP) continue;
      const qtyPlaces = this.poolQtyPlaces[slot] as number;
      const qty =
        qtyPlaces >= 0
          ? (this.poolQtyNum[slot] as number).toFixed(qtyPlaces)
          : (this.poolQty[slot] as string);
      out.push([this.priceAt(i), qty]);
    }
    return out;
  }

  /** Returns the price of the level at index `i` as last sent. */
  private priceAt(i: number): string {
    const slot = this.slots[i] as number;
    const places = this.poolPricePlaces[slot] as number;
    return places >= 0 ? this.spell(this.keys[i] as number, places) : (this.poolPrice[slot] as string);
  }

  /** Returns the price of `key` written with `places` fraction digits. */
  private spell(key: number, places: number): string {
    return (this.sign * key).toFixed(places);
  }

  /**
   * Records how the price of `slot` was spelled: its places, or the string when places cannot rebuild it
   * (`price` is then not null).
   */
  private storePrice(slot: number, price: string | null, places: number): void {
    if (places < 0) this.poolPrice[slot] = detached(price as string);
    else if ((this.poolPricePlaces[slot] as number) < 0) this.poolPrice[slot] = '';
    this.poolPricePlaces[slot] = places;
  }

  /** Records how the quantity of `slot` was spelled (its value is in poolQtyNum), as storePrice. */
  private storeQty(slot: number, qty: string | null, places: number): void {
    if (places < 0) this.poolQty[slot] = detached(qty as string);
    else if ((this.poolQtyPlaces[slot] as number) < 0) this.poolQty[slot] = '';
    this.poolQtyPlaces[slot] = places;
  }

  /** Fills from a strictly best-first list. Returns false (leaving garbage) when the list is not. */
  private loadSorted(levels: readonly PriceLevel[]): boolean {
    this.ensureCapacity(levels.length);
    const keys = this.keys;
    const qtys = this.poolQtyNum;
    const slots = this.slots;
    const ps = this.poolPrice;
    const qs = this.poolQty;
    let n = 0;
    let prevKey = -Infinity;
    let prevStr = '';
    // Worst first, appending, so the pool arrays stay packed (no holes).
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i] as PriceLevel;
      const q = parseDecimal(level[1]);
      if (q === 0) continue;
      const price = level[0];
      const key = this.sign * parseDecimal(price);
      if (key < prevKey || (key === prevKey && this.tie(price, prevStr) <= 0)) return false;
      keys[n] = key;
      qtys[n] = q;
      slots[n] = n;
      ps.push('');
      qs.push('');
      this.poolPricePlaces[n] = 0;
      this.poolQtyPlaces[n] = 0;
      this.storePrice(n, price, fixedPlaces(price));
      this.storeQty(n, level[1], fixedPlaces(level[1]));
      n++;
      prevKey = key;
      prevStr = price;
    }
    this.n = n;
    return true;
  }

  /**
   * Returns the index of the level with exactly this price (`places` = fixedPlaces(price); a null
   * `price` is `key` written with `places`), or `~insertionIndex` when absent.
   */
  private find(key: number, price: string | null, places: number): number {
    const keys = this.keys;
    const n = this.n;
    // Updates cluster at the touch (the end): a new best level needs no search, and any other gallops back
    // from it, so the search costs the log of the distance and reads cache lines the last updates brought in.
    if (n === 0 || key > (keys[n - 1] as number)) return ~n;
    let hi = n - 1;
    let step = 1;
    let lo = hi - step;
    while (lo > 0 && (keys[lo] as number) >= key) {
      hi = lo;
      step <<= 1;
      lo = hi - step;
    }
    if (lo < 0) lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as number) < key) lo = mid + 1;
      else hi = mid;
    }
    const slots = this.slots;
    // Equal doubles: the decimal strings decide (several distinct decimals may share one double); a gap
    // with the key holds no level.
    while (lo < n && keys[lo] === key) {
      if ((slots[lo] as number) === GAP) {
        lo++;
        continue;
      }
      // Equal doubles of two decimals that their places rebuild are the same decimal (fixedPlaces).
      if (places >= 0 && (this.poolPricePlaces[slots[lo] as number] as number) >= 0) return lo;
      price ??= this.spell(key, places);
      const stored = this.priceAt(lo);
      if (stored === price) return lo;
      const c = this.tie(price as string, stored);
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

  private isBeyondWindow(key: number, price: string | null, places: number): boolean {
    if (key !== this.edgeKey) return key < this.edgeKey;
    return this.tie(price ?? this.spell(key, places), this.edgeStr as string) < 0;
  }

  private insertAt(
    at: number,
    key: number,
    price: string | null,
    places: number,
    q: number,
    qty: string | null,
    qtyPlaces: number,
  ): void {
    const n = this.n;
    this.ensureCapacity(n + 1);
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.free[--this.freeCount] as number;
    } else {
      slot = this.poolPrice.length;
      this.poolPrice.push('');
      this.poolQty.push('');
      this.poolPricePlaces[slot] = 0;
      this.poolQtyPlaces[slot] = 0;
    }
    this.poolQtyNum[slot] = q;
    this.storePrice(slot, price, places);
    this.storeQty(slot, qty, qtyPlaces);
    const beyondWindow = this.edgeStr !== null && this.isBeyondWindow(key, price, places);
    // A level beyond the window goes below every known one. find() can place it past gaps at the bottom
    // of the window (a removed edge level whose double it shares): only gaps lie between, so moving it
    // down keeps the order, and keeps the gaps inside the window.
    const i = beyondWindow && at > this.beyond ? this.beyond : at;
    // Far from the touch, into the nearest gap: gaps lie in the known window, as a level inside it does.
    if (this.gaps > 0 && n - i > SHORT_SHIFT && !beyondWindow && this.fillGap(i, key, slot)) return;
    this.moveUp(i, n);
    this.keys[i] = key;
    this.slots[i] = slot;
    this.n = n + 1;
    if (beyondWindow) this.beyond++;
  }

  /**
   * Puts the level (`key`, `slot`) that belongs before index `i` into the nearest gap within GAP_REACH,
   * moving only the entries between: a gap below moves them down and the level goes to i - 1, a gap at
   * or above i moves them up and it goes to i. Returns false when no gap is that near.
   */
  private fillGap(i: number, key: number, slot: number): boolean {
    const slots = this.slots;
    const low = Math.max(this.beyond, i - GAP_REACH);
    const high = Math.min(this.n - 1, i + GAP_REACH);
    for (let d = 0; i - 1 - d >= low || i + d < high; d++) {
      const below = i - 1 - d;
      if (below >= low && (slots[below] as number) === GAP) {
        this.moveDown(below, i);
        this.keys[i - 1] = key;
        slots[i - 1] = slot;
        this.gaps--;
        return true;
      }
      const above = i + d;
      if (above < high && (slots[above] as number) === GAP) {
        this.moveUp(i, above);
        this.keys[i] = key;
        slots[i] = slot;
        this.gaps--;
        return true;
      }
    }
    return false;
  }

  private removeAt(i: number): void {
    const n = this.n;
    const slot = this.slots[i] as number;
    if (n - i - 1 > SHORT_SHIFT && i >= this.beyond) {
      // Far from the touch in the known window: leave a gap (never the top entry: i < n - 1 here).
      this.slots[i] = GAP;
      this.gaps++;
      this.freeSlot(slot);
      if (this.gaps > MIN_GAPS_TO_SQUEEZE && this.gaps * 4 > n - this.beyond) this.squeezeGaps();
      return;
    }
    this.moveDown(i, n);
    this.n = n - 1;
    if (i < this.beyond) this.beyond--;
    // The touch is never a gap: the gaps under a removed top entry go with it.
    if (i === n - 1) {
      while (this.n > this.beyond && (this.slots[this.n - 1] as number) === GAP) {
        this.n--;
        this.gaps--;
      }
    }
    this.freeSlot(slot);
  }

  /** Moves the entries at [from, to) one place up, to [from + 1, to + 1), over whatever is at `to`. */
  private moveUp(from: number, to: number): void {
    const keys = this.keys;
    const slots = this.slots;
    if (to - from > SHORT_SHIFT) {
      keys.copyWithin(from + 1, from, to);
      slots.copyWithin(from + 1, from, to);
    } else {
      for (let j = to; j > from; j--) {
        keys[j] = keys[j - 1] as number;
        slots[j] = slots[j - 1] as number;
      }
    }
  }

  /** Moves the entries at (from, to) one place down, to [from, to - 1), over whatever is at `from`. */
  private moveDown(from: number, to: number): void {
    const keys = this.keys;
    const slots = this.slots;
    if (to - from - 1 > SHORT_SHIFT) {
      keys.copyWithin(from, from + 1, to);
      slots.copyWithin(from, from + 1, to);
    } else {
      for (let j = from + 1; j < to; j++) {
        keys[j - 1] = keys[j] as number;
        slots[j - 1] = slots[j] as number;
      }
    }
  }

  /** Moves the known window's levels down over its gaps, keeping their order. */
  private squeezeGaps(): void {
    const keys = this.keys;
    const slots = this.slots;
    let w = this.beyond;
    for (let r = this.beyond; r < this.n; r++) {
      const slot = slots[r] as number;
      if (slot === GAP) continue;
      keys[w] = keys[r] as number;
      slots[w] = slot;
      w++;
    }
    this.n = w;
    this.gaps = 0;
  }

  /** Drops a removed level's kept strings, so the pool holds no garbage, and recycles its slot. */
  private freeSlot(slot: number): void {
    if ((this.poolPricePlaces[slot] as number) < 0) this.poolPrice[slot] = '';
    if ((this.poolQtyPlaces[slot] as number) < 0) this.poolQty[slot] = '';
    this.poolPricePlaces[slot] = 0;
    this.poolQtyPlaces[slot] = 0;
    this.free[this.freeCount++] = slot;
  }

  /** Grows the sorted arrays to hold `needed` levels, and the free stack to cover every pool slot. */
  private ensureCapacity(needed: number): void {
    if (needed > this.keys.length) {
      let cap = this.keys.length * 2;
      while (cap < needed) cap *= 2;
      const keys = new Float64Array(cap);
      keys.set(this.keys.subarray(0, this.n));
      const slots = new Int32Array(cap);
      slots.set(this.slots.subarray(0, this.n));
      this.keys = keys;
      this.slots = slots;
    }
    // Pool arrays cover every slot in use plus one for an insert; every slot can be free at once.
    const poolNeeded = Math.max(needed, this.poolPrice.length + 1);
    if (poolNeeded > this.free.length) {
      let cap = this.free.length * 2;
      while (cap < poolNeeded) cap *= 2;
      const free = new Int32Array(cap);
      free.set(this.free.subarray(0, this.freeCount));
      this.free = free;
      const qtyNum = new Float64Array(cap);
      qtyNum.set(this.poolQtyNum.subarray(0, this.poolPrice.length));
      this.poolQtyNum = qtyNum;
      const pricePlaces = new Int8Array(cap);
      pricePlaces.set(this.poolPricePlaces.subarray(0, this.poolPrice.length));
      this.poolPricePlaces = pricePlaces;
      const qtyPlaces = new Int8Array(cap);
      qtyPlaces.set(this.poolQtyPlaces.subarray(0, this.poolPrice.length));
      this.poolQtyPlaces = qtyPlaces;
    }
  }
}
