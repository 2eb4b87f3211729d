import fc from 'fast-check';
import { createDepthView, type DepthView } from '../../../src/core/book/depth-view.js';

/** A level as [price, quantity]. */
export type Level = readonly [number, number];

/** Returns a DepthView holding `bids` (best first) and `asks` (best first). */
export function book(bids: readonly Level[], asks: readonly Level[], capacity?: number): DepthView {
  const view = createDepthView(capacity ?? Math.max(bids.length, asks.length, 1));
  bids.forEach(([p, q], i) => {
    view.bidPrices[i] = p;
    view.bidQtys[i] = q;
  });
  asks.forEach(([p, q], i) => {
    view.askPrices[i] = p;
    view.askQtys[i] = q;
  });
  view.bidCount = bids.length;
  view.askCount = asks.length;
  return view;
}

/** Returns the book with sides swapped and quantities kept (prices unchanged: for quantity-only features). */
export function swapSides(v: DepthView): DepthView {
  return book(asksOf(v), bidsOf(v), v.capacity);
}

/**
 * Returns the mirror image around `pivot`: every price p becomes pivot − p and the sides swap, so the
 * best ask becomes the best bid. Exact when prices and pivot are integers below 2^53.
 */
export function mirror(v: DepthView, pivot: number): DepthView {
  const flip = ([p, q]: Level): Level => [pivot - p, q];
  return book(asksOf(v).map(flip), bidsOf(v).map(flip), v.capacity);
}

export function bidsOf(v: DepthView): Level[] {
  return Array.from({ length: v.bidCount }, (_, i) => [v.bidPrices[i]!, v.bidQtys[i]!] as const);
}

export function asksOf(v: DepthView): Level[] {
  return Array.from({ length: v.askCount }, (_, i) => [v.askPrices[i]!, v.askQtys[i]!] as const);
}

/** True when b is exactly −a (NaN counts as its own negation; +0 and −0 are both zero). */
export function isNegation(a: number, b: number): boolean {
  return Number.isNaN(a) ? Number.isNaN(b) : b === -a;
}

/** Price ranges for arbBook, in integer ticks. */
export interface PriceShape {
  readonly bestBid: readonly [number, number];
  readonly spread: readonly [number, number];
  readonly gap: readonly [number, number];
}

const WIDE: PriceShape = { bestBid: [1000, 1_000_000], spread: [1, 1000], gap: [1, 5] };
/** Few distinct prices, so that two independent books often share, raise or lower a level's price. */
export const NARROW: PriceShape = { bestBid: [1000, 1003], spread: [1, 3], gap: [1, 2] };

/**
 * Arbitrary uncrossed books, minLevels..maxLevels per side. Prices are integer ticks with best bid ≥ spread
 * (so best bid ≥ best ask/2); quantities come from `qty`.
 */
export function arbBook(
  qty: fc.Arbitrary<number>,
  maxLevels = 8,
  minLevels = 0,
  prices: PriceShape = WIDE,
): fc.Arbitrary<DepthView> {
  const range = ([min, max]: readonly [number, number]) => fc.integer({ min, max });
  const side = fc.array(fc.tuple(range(prices.gap), qty), { minLength: minLevels, maxLength: maxLevels });
  return fc
    .record({ bestBid: range(prices.bestBid), spread: range(prices.spread), bids: side, asks: side })
    .map(({ bestBid, spread, bids, asks }) => {
      let p = bestBid;
      const b = bids.map(([gap, q]): Level => {
        const level: Level = [p, q];
        p -= gap;
        return level;
      });
      p = bestBid + spread;
      const a = asks.map(([gap, q]): Level => {
        const level: Level = [p, q];
        p += gap;
        return level;
      });
      return book(b, a, maxLevels);
    });
}

/** Positive finite quantities over a wide range. */
export const positiveQty = fc.double({ min: 1e-8, max: 1e6, noNaN: true, noDefaultInfinity: true });
/** Non-negative integer quantities: sums and differences of them are exact. */
export const integerQty = fc.integer({ min: 0, max: 1_000_000 });
