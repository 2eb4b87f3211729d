import { Float64Ring } from './float64-ring.js';
import { resolveRollingWindow, type RollingWindowOptions } from './rolling-window-options.js';
import type { Statistic } from './statistic.js';

/** Options of {@link RollingMeanStd}. */
export type RollingMeanStdOptions = RollingWindowOptions;

/**
 * Rolling mean and sample standard deviation (ddof = 1) over the last `window` rows, O(1) per row, matching
 * pandas `s.rolling(window, min_periods).mean()` / `.std()`: NaN rows take a slot but are not observations,
 * and `minPeriods` counts observations. The updates repeat pandas/_libs/window/aggregations.pyx step for
 * step (remove the evicted row, then add the new one): the mean is a Kahan-compensated sum, the variance is
 * Welford's mean / sum-of-squared-deviations update with its own compensation, and a window whose
 * observations are all equal gets exactly that value and variance 0 (pandas GH#42064).
 */
export class RollingMeanStd implements Statistic {
  readonly window: number;
  readonly minPeriods: number;
  private readonly rows: Float64Ring;
  private observations = 0;
  // Mean: Kahan sum, with separate compensations for adds and removes as pandas keeps them.
  private sum = 0;
  private sumAddCompensation = 0;
  private sumRemoveCompensation = 0;
  private negativeCount = 0;
  // Variance: Welford.
  private welfordMean = 0;
  private squaredDeviations = 0;
  private meanAddCompensation = 0;
  private meanRemoveCompensation = 0;
  // Length of the latest run of equal observations (NaN rows do not break a run).
  private equalRun = 0;
  private previous = Number.NaN;

  constructor(options: RollingMeanStdOptions) {
    const { window, minPeriods } = resolveRollingWindow(options, 'rolling mean/std');
    this.window = window;
    this.minPeriods = minPeriods;
    this.rows = new Float64Ring(window);
  }

  /** Feeds one row (NaN = missing) and returns the new rolling mean. */
  update(x: number): number {
    const evicted = this.rows.push(x);
    if (!Number.isNaN(evicted)) this.remove(evicted);
    if (!Number.isNaN(x)) this.add(x);
    return this.mean;
  }

  /** Returns the rolling mean (same as `mean`). */
  get value(): number {
    return this.mean;
  }

  /** Returns the mean of the observations in the window, or NaN with fewer than max(minPeriods, 1). */
  get mean(): number {
    const n = this.observations;
    if (n < this.minPeriods || n === 0) return Number.NaN;
    if (this.equalRun >= n) return this.previous;
    const mean = this.sum / n;
    // Rounding must not push a mean of all-positive values below zero, nor of all-negative above it.
    if (this.negativeCount === 0 && mean < 0) return 0;
    if (this.negativeCount === n && mean > 0) return 0;
    return mean;
  }

  /**
   * Returns the sample variance (ddof = 1) of the observations in the window, NaN with fewer than
   * max(minPeriods, 2); rounding below zero is clamped to 0 (pandas leaves it in var, clamps it in std).
   */
  get variance(): number {
    const n = this.observations;
    if (n < this.minPeriods || n < 2) return Number.NaN;
    if (this.equalRun >= n) return 0;
    const variance = this.squaredDeviations / (n - 1);
    return variance < 0 ? 0 : variance;
  }

  /** Returns the sample standard deviation (ddof = 1), NaN with fewer than max(minPeriods, 2). */
  get std(): number {
    return Math.sqrt(this.variance);
  }

  /** Observations (non-NaN rows) currently in the window. */
  get count(): number {
    return this.observations;
  }

  /** Rows currently in the window, NaN rows included (at most `window`). */
  get size(): number {
    return this.rows.size;
  }

  /** True when the window holds at least max(minPeriods, 1) observations, i.e. `mean` is a number. */
  get ready(): boolean {
    return this.observations >= this.minPeriods && this.observations > 0;
  }

  reset(): void {
    this.rows.clear();
    this.observations = 0;
    this.sum = 0;
    this.sumAddCompensation = 0;
    this.sumRemoveCompensation = 0;
    this.negativeCount = 0;
    this.welfordMean = 0;
    this.squaredDeviations = 0;
    this.meanAddCompensation = 0;
    this.meanRemoveCompensation = 0;
    this.equalRun = 0;
    this.previous = Number.NaN;
  }

  private add(x: number): void {
    const n = ++this.observations;

    let y = x - this.sumAddCompensation;
    let t = this.sum + y;
    this.sumAddCompensation = t - this.sum - y;
    this.sum = t;
    if (x < 0 || Object.is(x, -0)) this.negativeCount++;

    this.equalRun = x === this.previous ? this.equalRun + 1 : 1;
    this.previous = x;

    const previousMean = this.welfordMean - this.meanAddCompensation;
    y = x - this.meanAddCompensation;
    t = y - this.welfordMean;
    this.meanAddCompensation = t + this.welfordMean - y;
    this.welfordMean += t / n;
    this.squaredDeviations += (x - previousMean) * (x - this.welfordMean);
  }

  private remove(x: number): void {
    const n = --this.observations;

    let y = -x - this.sumRemoveCompensation;
    let t = this.sum + y;
    this.sumRemoveCompensation = t - this.sum - y;
    this.sum = t;
    if (x < 0 || Object.is(x, -0)) this.negativeCount--;

    if (n > 0) {
      const previousMean = this.welfordMean - this.meanRemoveCompensation;
      y = x - this.meanRemoveCompensation;
      t = y - this.welfordMean;
      this.meanRemoveCompensation = t + this.welfordMean - y;
      this.welfordMean -= t / n;
      this.squaredDeviations -= (x - previousMean) * (x - this.welfordMean);
    } else {
      this.welfordMean = 0;
      this.squaredDeviations = 0;
    }
  }
}
