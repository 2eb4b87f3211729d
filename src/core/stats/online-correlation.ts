import { ConfigError } from '../../errors.js';

/** Options of {@link OnlineCorrelation}. */
export interface OnlineCorrelationOptions {
  /**
   * Pairs needed before a correlation is reported (pandas `Series.corr(min_periods)`); fewer than 2 pairs
   * never give one.
   * @default 1
   */
  readonly minPeriods?: number;
}

/**
 * Streaming Pearson correlation of pairwise-complete observations, matching pandas `x.corr(y)` (rows where
 * either side is NaN are dropped; NaN with fewer than 2 pairs or a constant side). Means and co-moments are
 * updated with Welford's method (Welford 1962; the co-moment update of Pébay 2008, SAND2008-6212) on data
 * shifted by the first pair (Chan, Golub & LeVeque 1983), which stays accurate where the textbook
 * sum-of-products formula cancels catastrophically, e.g. prices with a large level and a tiny spread. Because a
 * constant side gives an exactly zero co-moment here, it reads NaN, where numpy's two-pass mean can leave
 * rounding noise and report a spurious value.
 */
export class OnlineCorrelation {
  readonly minPeriods: number;
  private pairs = 0;
  /** The first pair: later pairs are accumulated relative to it. */
  private shiftX = 0;
  private shiftY = 0;
  /** Means of the shifted values. */
  private meanOfX = 0;
  private meanOfY = 0;
  /** Sums of squared deviations and of cross deviations from the running means. */
  private m2x = 0;
  private m2y = 0;
  private cxy = 0;

  constructor(options: OnlineCorrelationOptions = {}) {
    const minPeriods = options.minPeriods ?? 1;
    if (!Number.isInteger(minPeriods) || minPeriods < 0) {
      throw new ConfigError(`correlation minPeriods=${minPeriods}: must be an integer >= 0`, 'minPeriods');
    }
    this.minPeriods = minPeriods;
  }

  /** Feeds one pair (skipped when either is NaN) and returns the new correlation. */
  update(x: number, y: number): number {
    if (Number.isNaN(x) || Number.isNaN(y)) return this.correlation;
    if (this.pairs === 0) {
      this.shiftX = Number.isFinite(x) ? x : 0;
      this.shiftY = Number.isFinite(y) ? y : 0;
    }
    x -= this.shiftX;
    y -= this.shiftY;
    const n = ++this.pairs;
    const dx = x - this.meanOfX;
    const dy = y - this.meanOfY;
    this.meanOfX += dx / n;
    this.meanOfY += dy / n;
    this.m2x += dx * (x - this.meanOfX);
    this.m2y += dy * (y - this.meanOfY);
    this.cxy += dx * (y - this.meanOfY);
    return this.correlation;
  }

  /** Pairs with both sides non-NaN seen so far. */
  get count(): number {
    return this.pairs;
  }

  /** Same as `count`. */
  get n(): number {
    return this.pairs;
  }

  /** Returns the mean of x over the complete pairs (NaN before the first). */
  get meanX(): number {
    return this.pairs > 0 ? this.shiftX + this.meanOfX : Number.NaN;
  }

  /** Returns the mean of y over the complete pairs (NaN before the first). */
  get meanY(): number {
    return this.pairs > 0 ? this.shiftY + this.meanOfY : Number.NaN;
  }

  /** Returns the sample covariance (ddof = 1), NaN with fewer than 2 pairs. */
  get covariance(): number {
    return this.pairs >= 2 ? this.cxy / (this.pairs - 1) : Number.NaN;
  }

  /** Returns the sample variance of x (ddof = 1), NaN with fewer than 2 pairs. */
  get varianceX(): number {
    return this.pairs >= 2 ? this.m2x / (this.pairs - 1) : Number.NaN;
  }

  /** Returns the sample variance of y (ddof = 1), NaN with fewer than 2 pairs. */
  get varianceY(): number {
    return this.pairs >= 2 ? this.m2y / (this.pairs - 1) : Number.NaN;
  }

  /** Returns the Pearson correlation in [-1, 1], or NaN (too few pairs, or a side with zero variance). */
  get correlation(): number {
    if (this.pairs < 2 || this.pairs < this.minPeriods) return Number.NaN;
    if (!(this.m2x > 0 && this.m2y > 0)) return Number.NaN;
    // Dividing by each deviation separately (as numpy.corrcoef does) avoids overflow of m2x * m2y.
    const r = this.cxy / Math.sqrt(this.m2x) / Math.sqrt(this.m2y);
    // numpy.corrcoef clips rounding excursions the same way.
    return r > 1 ? 1 : r < -1 ? -1 : r;
  }

  /** Same as `correlation`. */
  get value(): number {
    return this.correlation;
  }

  /** True once a correlation can be reported by count (it is still NaN while a side is constant). */
  get ready(): boolean {
    return this.pairs >= 2 && this.pairs >= this.minPeriods;
  }

  reset(): void {
    this.pairs = 0;
    this.shiftX = 0;
    this.shiftY = 0;
    this.meanOfX = 0;
    this.meanOfY = 0;
    this.m2x = 0;
    this.m2y = 0;
    this.cxy = 0;
  }
}
