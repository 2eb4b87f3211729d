/**
 * Returns how many levels of a side a top-`levels` read uses: min(levels, count), like the seed's `bids[:L]`.
 * A fractional `levels` is floored; anything below 1 (or NaN) reads nothing, so callers report NaN.
 */
export function usedDepth(count: number, levels: number): number {
  const wanted = Math.floor(levels);
  if (!(wanted >= 1)) return 0;
  return wanted < count ? wanted : count;
}
