/**
 * Order-flow imbalance between two consecutive samples of the book.
 *
 * With sampled depth (REST polls, 100 ms diffs) several book events fall between two samples; like Cont,
 * Kukanov & Stoikov's own TAQ study, the rule is applied to consecutive observed states, so one value
 * summarises the net change in between.
 */
import type { DepthView } from '../book/depth-view.js';
import { BufferSizeError } from './buffer-size-error.js';

/**
 * e at 0-based rank m: 1{P^b_n ≥ P^b_{n−1}} q^b_n − 1{P^b_n ≤ P^b_{n−1}} q^b_{n−1}
 *                      − 1{P^a_n ≤ P^a_{n−1}} q^a_n + 1{P^a_n ≥ P^a_{n−1}} q^a_{n−1}.
 * NaN when rank m is missing on either side of either sample or a price there is NaN: an absent level has
 * no price to compare, and we don't invent one.
 */
function levelFlow(prev: DepthView, curr: DepthView, m: number): number {
  if (m >= prev.bidCount || m >= prev.askCount || m >= curr.bidCount || m >= curr.askCount) return NaN;
  const bidPrice = curr.bidPrices[m]!;
  const prevBidPrice = prev.bidPrices[m]!;
  const askPrice = curr.askPrices[m]!;
  const prevAskPrice = prev.askPrices[m]!;
  if (
    Number.isNaN(bidPrice) ||
    Number.isNaN(prevBidPrice) ||
    Number.isNaN(askPrice) ||
    Number.isNaN(prevAskPrice)
  ) {
    return NaN;
  }
  // Both indicators fire when a price is unchanged: the queue's change q_n − q_{n−1} is then the flow.
  let e = 0;
  if (bidPrice >= prevBidPrice) e += curr.bidQtys[m]!;
  if (bidPrice <= prevBidPrice) e -= prev.bidQtys[m]!;
  if (askPrice <= prevAskPrice) e -= curr.askQtys[m]!;
  if (askPrice >= prevAskPrice) e += prev.askQtys[m]!;
  return e;
}

/**
 * Returns the best-level order-flow imbalance e_n from `prev` to `curr`; NaN when either sample is missing
 * or has an empty side. Positive = net buying pressure (bid queue grew or ask queue shrank).
 * Source: Cont, Kukanov & Stoikov (2014), "The price impact of order book events", JFEC 12(1), def. of e_n.
 */
export function orderFlowImbalance(prev: DepthView | undefined, curr: DepthView | undefined): number {
  if (prev === undefined || curr === undefined) return NaN;
  return levelFlow(prev, curr, 0);
}

/**
 * Writes the multi-level OFI e^m (m = 1..levels: the same rule applied to the m-th best bid and ask of both
 * samples) into out[m − 1] and returns their sum Σ_m e^m. A level missing from either sample is NaN there,
 * and then the sum is NaN too; levels < 1 writes nothing and returns NaN. out[0] equals orderFlowImbalance.
 * Throws BufferSizeError when out is shorter than `levels`.
 * Source: Xu, Gould & Howison (2019), "Multi-level order-flow imbalance in a limit order book", MLOFI.
 */
export function multiLevelOrderFlowImbalance(
  prev: DepthView | undefined,
  curr: DepthView | undefined,
  levels: number,
  out: Float64Array,
): number {
  const m = Math.floor(levels);
  if (!(m >= 1)) return NaN;
  if (out.length < m) throw new BufferSizeError('multiLevelOrderFlowImbalance', m, out.length);
  if (prev === undefined || curr === undefined) {
    out.fill(NaN, 0, m);
    return NaN;
  }
  let sum = 0;
  for (let i = 0; i < m; i++) {
    const e = levelFlow(prev, curr, i);
    out[i] = e;
    sum += e;
  }
  return sum;
}
