/**
 * Mid prices that lean toward the thinner side of the book.
 *
 * Neither is Stoikov's micro-price ("The micro-price: a high-frequency estimator of future prices",
 * Quantitative Finance 18(12), 2018): that is the limit of expected future mids given imbalance and spread,
 * estimated from a fitted Markov model of the book. The weighted mid here is one of the model-free estimators
 * that paper starts from and argues against; do not label it "microprice" in outputs.
 */
import type { DepthView } from '../book/depth-view.js';
import { usedDepth } from './used-depth.js';

/**
 * Returns the weighted mid (p_b·q_a + p_a·q_b)/(q_a + q_b) at the best level; NaN when a side is empty or
 * q_a + q_b is not positive and finite.
 * Source: hftbacktest "Market Making with Alpha - Order Book Imbalance" (VAMP_bbo); Stoikov (2018).
 */
export function weightedMid(view: DepthView): number {
  if (view.bidCount === 0 || view.askCount === 0) return NaN;
  const bidPrice = view.bidPrices[0]!;
  const askPrice = view.askPrices[0]!;
  const bidQty = view.bidQtys[0]!;
  const depth = bidQty + view.askQtys[0]!;
  if (!(depth > 0) || depth === Infinity) return NaN;
  // Same value as the formula above, written as p_b + (p_a − p_b)·I with I = q_b/(q_a + q_b) ∈ [0, 1]:
  // in floating point it never leaves [best bid, best ask] when best bid ≥ best ask/2 (p_a − p_b is then
  // exact, by Sterbenz's lemma), where the textbook form can step an ulp outside the quote.
  return bidPrice + (askPrice - bidPrice) * (bidQty / depth);
}

/**
 * Returns VAMP, the volume-adjusted mid over the top `levels` levels:
 * (Σ p_bid,i·q_ask,i + Σ p_ask,i·q_bid,i)/(Σ q_bid,i + Σ q_ask,i), prices and quantities crossed between
 * sides at the same rank i. Ranks are paired, so it uses i ≤ min(levels, bidCount, askCount); NaN when that
 * is 0 or the denominator is not positive and finite. At one level it is the weighted mid. (hftbacktest
 * bounds N by distance from the mid; here, like every obi feature, it is a level count.)
 * Source: hftbacktest (nkaz001/hftbacktest) "Market Making with Alpha - Order Book Imbalance", VAMP_N.
 */
export function volumeAdjustedMid(view: DepthView, levels: number): number {
  const n = usedDepth(view.askCount, usedDepth(view.bidCount, levels));
  if (n === 0) return NaN;
  const bidPrices = view.bidPrices;
  const bidQtys = view.bidQtys;
  const askPrices = view.askPrices;
  const askQtys = view.askQtys;
  let bidPriceAskQty = 0;
  let askPriceBidQty = 0;
  let bidQty = 0;
  let askQty = 0;
  for (let i = 0; i < n; i++) {
    bidPriceAskQty += bidPrices[i]! * askQtys[i]!;
    askPriceBidQty += askPrices[i]! * bidQtys[i]!;
    bidQty += bidQtys[i]!;
    askQty += askQtys[i]!;
  }
  const depth = bidQty + askQty;
  if (!(depth > 0) || depth === Infinity) return NaN;
  return (bidPriceAskQty + askPriceBidQty) / depth;
}
