import { ConfigError } from '../../errors.js';
import type { Statistic } from './statistic.js';

/** Options of {@link Ewma}. */
export interface EwmaOptions {
  /** Span N of an "N-period" EWMA, alpha = 2 / (N + 1); must be >= 1 (pandas `span`). */
  readonly span: number;
  /**
   * Observations (non-NaN) needed before `value` is reported (pandas `min_periods`; 0 acts as 1).
   * @default 1
   */
  readonly minPeriods?: number;
}

/**
 * Exponentially weighted moving average, bit-compatible with pandas
 * `Series.ewm(span, adjust=False, ignore_na=False, min_periods).mean()`
 * (the recursion of pandas/_libs/window/aggregations.pyx `ewm`).
 *
 * With adjust=False, y_t = (1 - alpha) * y_{t-1} + alpha * x_t. A NaN input is a missing row, not a reset:
 * the weight of the old average keeps decaying through it (ignore_na=False), so the first observation after
 * k missing rows gets weight alpha / ((1 - alpha)^(k+1) + alpha). The output at a missing row is the carried
 * average.
 */
export class Ewma implements Statistic {
  /** Smoothing factor alpha = 1 / (1 + com), com = (span - 1) / 2, computed the way pandas does. */
  readonly alpha: number;
  readonly minPeriods: number;
  private readonly oldWeightFactor: number;
  private weighted = Number.NaN;
  private oldWeight = 1;
  private observations = 0;

  constructor(options: EwmaOptions) {
    const { span } = options;
    if (!(span >= 1) || !Number.isFinite(span)) {
      throw new ConfigError(`ewma span=${span}: must be a finite number >= 1`, 'span');
    }
    const minPeriods = options.minPeriods ?? 1;
    if (!Number.isInteger(minPeriods) || minPeriods < 0) {
      throw new ConfigError(`ewma minPeriods=${minPeriods}: must be an integer >= 0`, 'minPeriods');
    }
    // pandas converts span to a centre of mass first; 1 / (1 + com) can differ from 2 / (span + 1) in the
    // last bit, and bit-compatibility is the point of this class.
    const com = (span - 1) / 2;
    this.alpha = 1 / (1 + com);
    this.oldWeightFactor = 1 - this.alpha;
    this.minPeriods = Math.max(minPeriods, 1);
  }

  /** Feeds one row (NaN = missing) and returns the new `value`. */
  update(x: number): number {
    const isObservation = !Number.isNaN(x);
    if (isObservation) this.observations++;
    if (!Number.isNaN(this.weighted)) {
      this.oldWeight *= this.oldWeightFactor;
      if (isObservation) {
        // pandas skips the division when the value repeats, so a constant series stays exactly constant.
        if (this.weighted !== x) {
          this.weighted = (this.oldWeight * this.weighted + this.alpha * x) / (this.oldWeight + this.alpha);
        }
        this.oldWeight = 1;
      }
    } else if (isObservation) {
      this.weighted = x;
    }
    return this.value;
  }

  /** Returns the average, or NaN before `minPeriods` observations. */
  get value(): number {
    return this.observations >= this.minPeriods ? this.weighted : Number.NaN;
  }

  get count(): number {
    return this.observations;
  }

  get ready(): boolean {
    return this.observations >= this.minPeriods;
  }

  reset(): void {
    this.weighted = Number.NaN;
    this.oldWeight = 1;
    this.observations = 0;
  }
}
