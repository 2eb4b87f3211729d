/**
 * A local L2 order book built from a snapshot and diffs. Pure: no I/O, no clock. It applies what it is
 * given and reports anomalies (crossed, locked) without "fixing" them; sequencing lives in depth-sync.ts.
 *
 * Known window: a snapshot of limited depth tells nothing about levels beyond its worst price, so those
 * levels stay unknown until a diff touches them (BINANCE.md: "Levels beyond the snapshot's depth stay
 * unknown until they change: features must only use levels known to be inside the snapshot window").
 * Such levels are stored (a later deeper read may want them) but `readTop`, `bestBid`/`bestAsk` and
 * `knownBidDepth`/`knownAskDepth` see only the window.
 */
import type { BookDiff, ParsedLevels, PriceLevel } from '../../events.js';
import type { DepthView } from './depth-view.js';
import { PriceLadder } from './price-ladder.js';
import type { BookSide } from './price-ladder.js';
import { comparePriceStrings } from './price-compare.js';
import { PARSED_LEVEL_STRIDE, pricePlacesOf, qtyPlacesOf } from './parsed-levels.js';

export type { BookSide } from './price-ladder.js';

function applyParsed(ladder: PriceLadder, values: ParsedLevels): void {
  for (let i = 0; i < values.length; i += PARSED_LEVEL_STRIDE) {
    const places = values[i + 2] as number;
    ladder.setParsed(
      values[i] as number,
      pricePlacesOf(places),
      values[i + 1] as number,
      qtyPlacesOf(places),
    );
  }
}

export class OrderBook {
  private readonly bids = new PriceLadder('bids');
  private readonly asks = new PriceLadder('asks');

  /**
   * Replaces the book. `bids` and `asks` are best first, as Binance sends them. `depthLimit` is the
   * number of levels requested: a side that came back with at least that many is truncated at its worst
   * price. `null` means the snapshot is the whole book.
   */
  applySnapshot(bids: readonly PriceLevel[], asks: readonly PriceLevel[], depthLimit: number | null): void {
    this.bids.replace(bids, depthLimit);
    this.asks.replace(asks, depthLimit);
  }

  /**
   * Applies one diff: quantities are absolute, a zero quantity removes the level, and removing an
   * unknown level is normal (BINANCE.md, diff depth). Levels beyond the known window are stored but
   * stay out of every read of the window.
   */
  applyDiff(bids: readonly PriceLevel[], asks: readonly PriceLevel[]): void {
    const b = this.bids;
    for (let i = 0; i < bids.length; i++) {
      const level = bids[i] as PriceLevel;
      b.set(level[0], level[1]);
    }
    const a = this.asks;
    for (let i = 0; i < asks.length; i++) {
      const level = asks[i] as PriceLevel;
      a.set(level[0], level[1]);
    }
  }

  /**
   * Applies one diff read as numbers (ParsedLevels, see parsed-levels.ts): the same as `applyDiff` with
   * the strings the numbers stand for.
   */
  applyParsedDiff(bids: ParsedLevels, asks: ParsedLevels): void {
    applyParsed(this.bids, bids);
    applyParsed(this.asks, asks);
  }

  /**
   * Applies one diff event: from its numbers when its producer parsed them (`bidValues`/`askValues`, the
   * diff-depth scanner's), from its strings otherwise. A scanned diff's strings are never written.
   */
  applyBookDiff(diff: Pick<BookDiff, 'bids' | 'asks' | 'bidValues' | 'askValues'>): void {
    const bidValues = diff.bidValues;
    const askValues = diff.askValues;
    if (bidValues !== undefined && askValues !== undefined) this.applyParsedDiff(bidValues, askValues);
    else this.applyDiff(diff.bids, diff.asks);
  }

  /**
   * Fills `into` with the best `levels` (capped by its capacity) of each side inside the known window,
   * best first. Allocates nothing.
   */
  readTop(levels: number, into: DepthView): void {
    const max = Math.min(levels, into.capacity);
    into.bidCount = this.bids.readInto(into.bidPrices, into.bidQtys, max);
    into.askCount = this.asks.readInto(into.askPrices, into.askQtys, max);
  }

  /** Returns the best known bid price, or NaN when none is known. */
  bestBid(): number {
    return this.bids.bestPrice();
  }

  /** Returns the best known ask price, or NaN when none is known. */
  bestAsk(): number {
    return this.asks.bestPrice();
  }

  /** Returns how many bid levels are stored, including those beyond the known window. */
  get bidCount(): number {
    return this.bids.count;
  }

  /** Returns how many ask levels are stored, including those beyond the known window. */
  get askCount(): number {
    return this.asks.count;
  }

  /** Returns how many bid levels lie inside the known window. */
  get knownBidDepth(): number {
    return this.bids.knownDepth;
  }

  /** Returns how many ask levels lie inside the known window. */
  get knownAskDepth(): number {
    return this.asks.knownDepth;
  }

  /** Returns the worst price inside the known window of a side, or null when the whole side is known. */
  windowEdge(side: BookSide): string | null {
    return (side === 'bids' ? this.bids : this.asks).windowEdge;
  }

  /** Returns true when the best known bid is above the best known ask (compared exactly). */
  isCrossed(): boolean {
    return this.compareTouch() > 0;
  }

  /** Returns true when the best known bid equals the best known ask (compared exactly). */
  isLocked(): boolean {
    return this.compareTouch() === 0;
  }

  /**
   * Returns the levels of a side best first as `[price, qty]`, both strings exactly as last sent (for
   * tests and comparisons; allocates). `which: 'known'` stops at the known window.
   */
  levels(side: BookSide, which: 'all' | 'known' = 'all'): Array<[price: string, qty: string]> {
    return (side === 'bids' ? this.bids : this.asks).toArray(which === 'known');
  }

  /** Empties the book; an empty book has no unknown region. */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  /** Returns the sign of best bid minus best ask, or NaN when a side has no known level. */
  private compareTouch(): number {
    const bid = this.bids.bestPrice();
    const ask = this.asks.bestPrice();
    if (Number.isNaN(bid) || Number.isNaN(ask)) return NaN;
    if (bid !== ask) return bid > ask ? 1 : -1;
    return comparePriceStrings(this.bids.bestPriceString() as string, this.asks.bestPriceString() as string);
  }
}
