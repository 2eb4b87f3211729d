/**
 * Static order-book imbalance over the top L levels of a DepthView.
 *
 * Sums run over the levels actually present (the seed slices `bids[:L]`), left to right from the best level,
 * exactly like Python's `sum` over that slice, so values agree bit for bit with the seed script. A side with
 * no levels (the seed writes a NaN row then) or a zero/non-finite denominator gives NaN.
 */
import type { DepthView } from '../book/depth-view.js';
import { BufferSizeError } from './buffer-size-error.js';
import { usedDepth } from './used-depth.js';

/** The seed's `safe_obi` / `safe_obi_pw`: (b − a)/(b + a), NaN unless b + a is positive and finite. */
function ratio(bid: number, ask: number): number {
  const denom = bid + ask;
  if (!(denom > 0) || denom === Infinity) return NaN;
  return (bid - ask) / denom;
}

function sideVolume(qtys: Float64Array, count: number, levels: number): number {
  const n = usedDepth(count, levels);
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += qtys[i]!;
  return sum;
}

function sideNotional(prices: Float64Array, qtys: Float64Array, count: number, levels: number): number {
  const n = usedDepth(count, levels);
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += prices[i]! * qtys[i]!;
  return sum;
}

function sideDecayedVolume(qtys: Float64Array, count: number, levels: number, alpha: number): number {
  const n = usedDepth(count, levels);
  if (n === 0) return NaN;
  let sum = 0;
  // Math.exp per level rather than a running product: the weights carry no accumulated rounding, and
  // alpha = 0 gives weights of exactly 1, so the result equals orderBookImbalance bit for bit.
  for (let i = 0; i < n; i++) sum += Math.exp(-alpha * i) * qtys[i]!;
  return sum;
}

/** Returns Σ q over the top `levels` bids present (seed column `bid_vol_L`); NaN when there are no bids. */
export function bidVolume(view: DepthView, levels: number): number {
  return sideVolume(view.bidQtys, view.bidCount, levels);
}

/** Returns Σ q over the top `levels` asks present (seed column `ask_vol_L`); NaN when there are no asks. */
export function askVolume(view: DepthView, levels: number): number {
  return sideVolume(view.askQtys, view.askCount, levels);
}

/**
 * Returns OBI = (Σ q_bid − Σ q_ask)/(Σ q_bid + Σ q_ask) over the top `levels` levels present, in [−1, 1].
 * Source: the seed script (SEED.md, `topL_vol_and_pw` + `safe_obi`).
 */
export function orderBookImbalance(view: DepthView, levels: number): number {
  return ratio(
    sideVolume(view.bidQtys, view.bidCount, levels),
    sideVolume(view.askQtys, view.askCount, levels),
  );
}

/**
 * Returns the notional (price-weighted) OBI `obi_pw` = (Σ p·q bid − Σ p·q ask)/(Σ p·q bid + Σ p·q ask).
 * Source: the seed script (SEED.md, `bid_pw`/`ask_pw` in `topL_vol_and_pw` + `safe_obi_pw`).
 */
export function priceWeightedImbalance(view: DepthView, levels: number): number {
  return ratio(
    sideNotional(view.bidPrices, view.bidQtys, view.bidCount, levels),
    sideNotional(view.askPrices, view.askQtys, view.askCount, levels),
  );
}

/**
 * Writes orderBookImbalance(view, depths[j]) into out[j] for every j in one pass over the book, and returns
 * `out`. Depths may come in any order and repeat; each value equals the single-depth call bit for bit
 * (the running sums add the same terms in the same order). Throws BufferSizeError when out is too short.
 */
export function imbalanceAtDepths(
  view: DepthView,
  depths: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  const d = depths.length;
  if (out.length < d) throw new BufferSizeError('imbalanceAtDepths', d, out.length);
  const bidCount = view.bidCount;
  const askCount = view.askCount;
  let deepest = 0;
  for (let j = 0; j < d; j++) {
    const k = Math.floor(depths[j]!);
    out[j] = NaN;
    if (k > deepest) deepest = k;
  }
  if (bidCount === 0 || askCount === 0) return out;
  // Past the deeper side nothing changes, so stop there and fill the deeper depths from the final sums.
  const longer = bidCount > askCount ? bidCount : askCount;
  const n = deepest < longer ? deepest : longer;
  const bidQtys = view.bidQtys;
  const askQtys = view.askQtys;
  let bid = 0;
  let ask = 0;
  for (let i = 0; i < n; i++) {
    if (i < bidCount) bid += bidQtys[i]!;
    if (i < askCount) ask += askQtys[i]!;
    const level = i + 1;
    for (let j = 0; j < d; j++) if (Math.floor(depths[j]!) === level) out[j] = ratio(bid, ask);
  }
  for (let j = 0; j < d; j++) if (Math.floor(depths[j]!) > n) out[j] = ratio(bid, ask);
  return out;
}

/**
 * Returns the distance-decayed OBI: (Σ w_i q_bid,i − Σ w_i q_ask,i)/(Σ w_i q_bid,i + Σ w_i q_ask,i) with
 * w_i = e^(−alpha·i) over the top `levels` levels present.
 *
 * Index convention: i = 0 at the best level, so the best level always weighs 1, alpha = 0 is exactly
 * orderBookImbalance, and alpha reads as "log-weight lost per level behind the touch".
 * Source: no canonical paper fixes this kernel; deeper levels carry information (Cao, Hansch & Wang 2009,
 * "The information content of an open limit-order book") but count for less, hence a decaying weight.
 */
export function decayedImbalance(view: DepthView, levels: number, alpha: number): number {
  return ratio(
    sideDecayedVolume(view.bidQtys, view.bidCount, levels, alpha),
    sideDecayedVolume(view.askQtys, view.askCount, levels, alpha),
  );
}
