/**
 * Top-of-book prices of a DepthView. An empty side gives NaN, like the seed's NaN row.
 * Source: the seed script (SEED.md): best_bid = bids[0], best_ask = asks[0], mid = (best_bid + best_ask)/2.
 */
import type { DepthView } from '../book/depth-view.js';

/** Returns the best (highest) bid price, NaN when there are no bids. */
export function bestBid(view: DepthView): number {
  return view.bidCount > 0 ? view.bidPrices[0]! : NaN;
}

/** Returns the best (lowest) ask price, NaN when there are no asks. */
export function bestAsk(view: DepthView): number {
  return view.askCount > 0 ? view.askPrices[0]! : NaN;
}

/** Returns mid = (best_bid + best_ask)/2 (seed `topL_vol_and_pw`), NaN when either side is empty. */
export function midPrice(view: DepthView): number {
  return (bestBid(view) + bestAsk(view)) / 2;
}

/** Returns spread = best_ask − best_bid (negative for a crossed book), NaN when either side is empty. */
export function spread(view: DepthView): number {
  return bestAsk(view) - bestBid(view);
}

/** Returns the spread in basis points of the mid, spread/mid·1e4; NaN when a side is empty or mid is 0. */
export function spreadBps(view: DepthView): number {
  const mid = midPrice(view);
  if (mid === 0) return NaN;
  return (spread(view) / mid) * 1e4;
}
