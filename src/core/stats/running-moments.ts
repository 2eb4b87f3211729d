import type { Statistic } from './statistic.js';

/**
 * Whole-history count, mean, sample variance, min and max of the non-NaN observations, O(1) per update
 * (Welford 1962, "Note on a method for calculating corrected sums of squares and products"), on values
 * shifted by the first one so a large level with a small spread keeps its precision (Chan, Golub & LeVeque
 * 1983). The mean agrees with pandas `s.mean()` (NaN-skipping) to rounding.
 */
export class RunningMoments implements Statistic {
  private observations = 0;
  private missingRows = 0;
  /** The first observation; the others are accumulated relative to it. */
  private shift = 0;
  /** Mean of the shifted observations. */
  private runningMean = 0;
  private squaredDeviations = 0;
  private smallest = Number.POSITIVE_INFINITY;
  private largest = Number.NEGATIVE_INFINITY;

  /** Feeds one observation (NaN = missing) and returns the new mean. */
  update(x: number): number {
    if (Number.isNaN(x)) {
      this.missingRows++;
      return this.mean;
    }
    if (x < this.smallest) this.smallest = x;
    if (x > this.largest) this.largest = x;
    if (this.observations === 0) this.shift = Number.isFinite(x) ? x : 0;
    const shifted = x - this.shift;
    const n = ++this.observations;
    const delta = shifted - this.runningMean;
    this.runningMean += delta / n;
    this.squaredDeviations += delta * (shifted - this.runningMean);
    return this.mean;
  }

  /** Returns the mean (same as `mean`). */
  get value(): number {
    return this.mean;
  }

  /** Returns the mean of the observations, NaN before the first. */
  get mean(): number {
    return this.observations > 0 ? this.shift + this.runningMean : Number.NaN;
  }

  /** Returns the sample variance (ddof = 1), NaN with fewer than 2 observations. */
  get variance(): number {
    if (this.observations < 2) return Number.NaN;
    const variance = this.squaredDeviations / (this.observations - 1);
    return variance < 0 ? 0 : variance;
  }

  /** Returns the sample standard deviation (ddof = 1), NaN with fewer than 2 observations. */
  get std(): number {
    return Math.sqrt(this.variance);
  }

  /** Returns the smallest observation, NaN before the first. */
  get min(): number {
    return this.observations > 0 ? this.smallest : Number.NaN;
  }

  /** Returns the largest observation, NaN before the first. */
  get max(): number {
    return this.observations > 0 ? this.largest : Number.NaN;
  }

  /** Observations (non-NaN) seen. */
  get count(): number {
    return this.observations;
  }

  /** NaN rows seen. */
  get missing(): number {
    return this.missingRows;
  }

  get ready(): boolean {
    return this.observations > 0;
  }

  reset(): void {
    this.observations = 0;
    this.missingRows = 0;
    this.shift = 0;
    this.runningMean = 0;
    this.squaredDeviations = 0;
    this.smallest = Number.POSITIVE_INFINITY;
    this.largest = Number.NEGATIVE_INFINITY;
  }
}
