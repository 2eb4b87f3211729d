/**
 * The lead/lag profile a report draws: corr(feature at t, mid return over the k-th sample interval after t)
 * for k = −K … K, with n and a 95% interval. k > 0: the feature leads the return (k = 1 is the seed's
 * `corr_obi_lead_midret`); k = 0 is the same interval (`corr_obi_midret`); k < 0: the return came first.
 *
 * The research metrics compute the full profile (Pearson and Spearman) into the metrics JSON; this streaming
 * Pearson version is the report's own, used when the metrics document has none. Memory is O(K) per feature:
 * a ring of the last K feature values and the last K returns.
 */
import { OnlineCorrelation } from '../core/stats/online-correlation.js';

/** One feature's profile. Arrays are aligned with `lags`; null where undefined (too few pairs). */
export interface LeadLagSeries {
  readonly feature: string;
  /** `pearson`, `spearman`, … */
  readonly method: string;
  readonly lags: readonly number[];
  readonly r: readonly (number | null)[];
  readonly low: readonly (number | null)[];
  readonly high: readonly (number | null)[];
  readonly n: readonly (number | null)[];
}

/** The profile and where it came from. */
export interface LeadLagProfile {
  readonly source: 'metrics' | 'rows';
  readonly series: readonly LeadLagSeries[];
}

/** z of a two-sided 95% normal interval. */
const Z95 = 1.959963984540054;

/**
 * Returns the 95% interval of a Pearson correlation r from n pairs by Fisher's z-transform
 * (Fisher 1921: atanh(r) is about normal with standard error 1/√(n−3)); null when n ≤ 3 or r is undefined.
 */
export function fisherInterval(r: number, n: number): [number, number] | null {
  if (!(n > 3) || Number.isNaN(r)) return null;
  if (r >= 1 || r <= -1) return [r, r];
  const z = Math.atanh(r);
  const se = 1 / Math.sqrt(n - 3);
  return [Math.tanh(z - Z95 * se), Math.tanh(z + Z95 * se)];
}

export class LeadLagAccumulator {
  private readonly lead: OnlineCorrelation[][];
  private readonly lag: OnlineCorrelation[][];
  private readonly pastFeatures: Float64Array[];
  private readonly pastReturns: Float64Array;
  private seen = 0;

  /** `features` names the feature columns; `maxLag` is K. */
  constructor(
    readonly features: readonly string[],
    readonly maxLag: number,
  ) {
    const make = (): OnlineCorrelation[][] =>
      features.map(() => Array.from({ length: maxLag + 1 }, () => new OnlineCorrelation()));
    this.lead = make();
    this.lag = make();
    this.pastFeatures = features.map(() => new Float64Array(Math.max(1, maxLag)).fill(Number.NaN));
    this.pastReturns = new Float64Array(Math.max(1, maxLag)).fill(Number.NaN);
  }

  /**
   * Adds the next row: each feature's value at t and the mid return from t−1 to t (the CSV's `mid_ret`).
   * Rows must come one per sample interval, in time order (a missing sample is a row of NaN).
   */
  add(features: ArrayLike<number>, midReturn: number): void {
    const K = this.maxLag;
    for (let f = 0; f < this.features.length; f++) {
      const x = features[f] ?? Number.NaN;
      const past = this.pastFeatures[f]!;
      const lead = this.lead[f]!;
      const lag = this.lag[f]!;
      lead[0]!.update(x, midReturn);
      for (let k = 1; k <= K && k <= this.seen; k++) {
        // Ring slot of the value k rows back.
        const slot = (this.seen - k) % K;
        // Feature k rows ago against this return: lead k.
        lead[k]!.update(past[slot]!, midReturn);
        // This feature against the return k rows ago: lag −k.
        lag[k]!.update(x, this.pastReturns[slot]!);
      }
    }
    if (K > 0) {
      const slot = this.seen % K;
      for (let f = 0; f < this.features.length; f++) this.pastFeatures[f]![slot] = features[f] ?? Number.NaN;
      this.pastReturns[slot] = midReturn;
    }
    this.seen++;
  }

  /** Returns the Pearson profile of every feature. */
  result(): LeadLagProfile {
    const K = this.maxLag;
    const series = this.features.map((feature, f): LeadLagSeries => {
      const lags: number[] = [];
      const r: (number | null)[] = [];
      const low: (number | null)[] = [];
      const high: (number | null)[] = [];
      const n: (number | null)[] = [];
      for (let k = -K; k <= K; k++) {
        // `0 - 0` would be −0 at k = 0; `k || 0` keeps lags plain integers.
        const c = k >= 0 ? this.lead[f]![k]! : this.lag[f]![-k]!;
        const value = c.correlation;
        const interval = fisherInterval(value, c.count);
        lags.push(k || 0);
        r.push(Number.isNaN(value) ? null : value);
        low.push(interval?.[0] ?? null);
        high.push(interval?.[1] ?? null);
        n.push(c.count);
      }
      return { feature, method: 'pearson', lags, r, low, high, n };
    });
    return { source: 'rows', series };
  }
}
