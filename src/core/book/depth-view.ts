/**
 * A top-L read of a book, best first, in preallocated typed arrays so that sampling allocates nothing.
 * Features read only this: they never see the book itself.
 */
export interface DepthView {
  /** Capacity: the most levels per side this view can hold. */
  readonly capacity: number;
  /** Best first (descending). Only the first `bidCount` entries are meaningful. */
  readonly bidPrices: Float64Array;
  readonly bidQtys: Float64Array;
  bidCount: number;
  /** Best first (ascending). Only the first `askCount` entries are meaningful. */
  readonly askPrices: Float64Array;
  readonly askQtys: Float64Array;
  askCount: number;
}

/** Returns an empty view able to hold `capacity` levels per side. */
export function createDepthView(capacity: number): DepthView {
  return {
    capacity,
    bidPrices: new Float64Array(capacity),
    bidQtys: new Float64Array(capacity),
    bidCount: 0,
    askPrices: new Float64Array(capacity),
    askQtys: new Float64Array(capacity),
    askCount: 0,
  };
}

/** Copies `from` into `to` (same capacity or larger). */
export function copyDepthView(from: DepthView, to: DepthView): void {
  to.bidPrices.set(from.bidPrices.subarray(0, from.bidCount));
  to.bidQtys.set(from.bidQtys.subarray(0, from.bidCount));
  to.askPrices.set(from.askPrices.subarray(0, from.askCount));
  to.askQtys.set(from.askQtys.subarray(0, from.askCount));
  to.bidCount = from.bidCount;
  to.askCount = from.askCount;
}
