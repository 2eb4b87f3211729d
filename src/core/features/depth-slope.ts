/**
 * Depth slope: how fast resting quantity grows (or thins) with distance from the touch, per side.
 *
 * Source: the seed script's suggested variant (SEED.md, "Variants"): "fit linear regression of log-qty vs
 * level index on each side and difference the slopes". Choices made here:
 * - x is the level's 1-based rank in the book (1 = best), y = ln(quantity), over the top `levels` present;
 * - only levels with a positive, finite quantity are points (ln 0 = −∞ would swamp the fit), and a skipped
 *   level keeps its rank for the others, so a hole does not shift deeper levels toward the touch;
 * - ordinary least squares slope Σ(x − x̄)(y − ȳ)/Σ(x − x̄)², NaN with fewer than 2 points.
 */
import type { DepthView } from '../book/depth-view.js';
import { usedDepth } from './used-depth.js';

function logQuantitySlope(qtys: Float64Array, count: number, levels: number): number {
  const n = usedDepth(count, levels);
  let points = 0;
  let meanX = 0;
  let meanY = 0;
  let sxy = 0;
  let sxx = 0;
  // One pass with running means and co-moments (Welford), stable without a second read of the logs.
  for (let i = 0; i < n; i++) {
    const q = qtys[i]!;
    if (!(q > 0) || q === Infinity) continue;
    const x = i + 1;
    const y = Math.log(q);
    points++;
    const dx = x - meanX;
    meanX += dx / points;
    meanY += (y - meanY) / points;
    sxy += dx * (y - meanY);
    sxx += dx * (x - meanX);
  }
  return points < 2 ? NaN : sxy / sxx;
}

/** Returns the least-squares slope of ln(bid quantity) against level rank over the top `levels` bids. */
export function bidDepthSlope(view: DepthView, levels: number): number {
  return logQuantitySlope(view.bidQtys, view.bidCount, levels);
}

/** Returns the least-squares slope of ln(ask quantity) against level rank over the top `levels` asks. */
export function askDepthSlope(view: DepthView, levels: number): number {
  return logQuantitySlope(view.askQtys, view.askCount, levels);
}

/** Returns bidDepthSlope − askDepthSlope (the seed's "difference the slopes"); NaN if either is NaN. */
export function depthSlopeDifference(view: DepthView, levels: number): number {
  return bidDepthSlope(view, levels) - askDepthSlope(view, levels);
}
