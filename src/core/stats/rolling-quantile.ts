import { ConfigError } from '../../errors.js';
import { Float64Ring } from './float64-ring.js';
import { resolveRollingWindow, type RollingWindowOptions } from './rolling-window-options.js';
import type { Statistic } from './statistic.js';

/** Options of {@link RollingQuantile}. */
export interface RollingQuantileOptions extends RollingWindowOptions {
  /** The quantile reported as `value`, in [0, 1]. */
  readonly q: number;
}

/**
 * Rolling quantile over the last `window` rows, matching pandas `s.rolling(window, min_periods).quantile(q)`
 * with linear interpolation: with n observations sorted, the quantile sits at position q * (n - 1) between
 * its two neighbours (pandas/_libs/window/aggregations.pyx `roll_quantile`). NaN rows take a slot but are not
 * observations. The window's observations are kept sorted in a typed array: binary search plus a memmove
 * per row, O(log N + N) with a tiny constant for windows of hundreds or thousands of rows.
 */
export class RollingQuantile implements Statistic {
  readonly window: number;
  readonly minPeriods: number;
  readonly q: number;
  private readonly rows: Float64Ring;
  /** The window's observations, ascending, in [0, observations). */
  private readonly sorted: Float64Array;
  private observations = 0;

  constructor(options: RollingQuantileOptions) {
    const { window, minPeriods } = resolveRollingWindow(options, 'rolling quantile');
    assertQuantile(options.q);
    this.window = window;
    this.minPeriods = minPeriods;
    this.q = options.q;
    this.rows = new Float64Ring(window);
    this.sorted = new Float64Array(window);
  }

  /** Feeds one row (NaN = missing) and returns the new rolling `q`-quantile. */
  update(x: number): number {
    const evicted = this.rows.push(x);
    if (!Number.isNaN(evicted)) this.remove(evicted);
    if (!Number.isNaN(x)) this.insert(x);
    return this.value;
  }

  /** Returns the rolling `q`-quantile, or NaN with fewer than max(minPeriods, 1) observations. */
  get value(): number {
    return this.quantile(this.q);
  }

  /** Returns another quantile `q` in [0, 1] of the current window, under the same minPeriods rule. */
  quantile(q: number): number {
    assertQuantile(q);
    const n = this.observations;
    if (n < this.minPeriods || n === 0) return Number.NaN;
    const s = this.sorted;
    if (n === 1) return s[0] as number;
    // pandas answers q = 0 with roll_min, which keeps the latest of equal minima (only a zero's sign shows it).
    if (q === 0) return s[upperBound(s, n, s[0] as number) - 1] as number;
    const position = q * (n - 1);
    const below = Math.trunc(position);
    const low = s[below] as number;
    if (position === below) return low;
    const high = s[below + 1] as number;
    return low + (high - low) * (position - below);
  }

  /** Observations (non-NaN rows) currently in the window. */
  get count(): number {
    return this.observations;
  }

  /** Rows currently in the window, NaN rows included (at most `window`). */
  get size(): number {
    return this.rows.size;
  }

  get ready(): boolean {
    return this.observations >= this.minPeriods && this.observations > 0;
  }

  reset(): void {
    this.rows.clear();
    this.observations = 0;
  }

  private insert(x: number): void {
    const s = this.sorted;
    const n = this.observations;
    // After any equal values, as pandas' skiplist inserts: equal values stay in arrival order, so removing the
    // first equal one removes the oldest, the one leaving the window (this only shows in the sign of zeros).
    const lo = upperBound(s, n, x);
    s.copyWithin(lo + 1, lo, n);
    s[lo] = x;
    this.observations = n + 1;
  }

  private remove(x: number): void {
    const s = this.sorted;
    const n = this.observations;
    // The first (oldest) of the values equal to x, as pandas' skiplist removes.
    const lo = lowerBound(s, n, x);
    s.copyWithin(lo, lo + 1, n);
    this.observations = n - 1;
  }
}

/** Returns the first index in sorted[0, n) holding a value >= x. */
function lowerBound(sorted: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Returns the first index in sorted[0, n) holding a value > x. */
function upperBound(sorted: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function assertQuantile(q: number): void {
  if (!(q >= 0 && q <= 1)) {
    throw new ConfigError(`quantile q=${q}: must be in [0, 1]`, 'q');
  }
}
