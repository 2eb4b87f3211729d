import { ConfigError } from '../../errors.js';
import { DDSketch } from './dd-sketch.js';
import { linearQuantileOfSorted } from './linear-quantile.js';
import { RunningMoments } from './running-moments.js';

/** Options of {@link RunQuantiles}. */
export interface RunQuantilesOptions {
  /**
   * Values kept exactly (8 bytes each, plus as much again while sorting); past this the quantiles come from a
   * bounded-memory sketch and `exact` turns false.
   * @default 65536 (2^16)
   */
  readonly exactCapacity?: number;
  /**
   * Relative accuracy of the sketch used past `exactCapacity`.
   * @default 0.001
   */
  readonly relativeAccuracy?: number;
}

/** The quantiles a run summary reports. */
export const SUMMARY_QUANTILES = {
  p01: 0.01,
  p05: 0.05,
  p10: 0.1,
  p25: 0.25,
  p50: 0.5,
  p75: 0.75,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
} as const;

/** Quantiles of a whole run, keyed like {@link SUMMARY_QUANTILES}. */
export type QuantileSummary = { readonly [K in keyof typeof SUMMARY_QUANTILES]: number };

/**
 * 2^16 values (18 h at 1 s, 1.8 h at 100 ms) cost 1 MiB per series with the merge buffer; a run summary keeps
 * five series per symbol. At 2^20 a 24-hour run of 20 symbols at 10 Hz grew by 500 MiB, which is not flat.
 * The same bound as the Spearman rank window (RANK_WINDOW_ROWS), so "exact" means one thing.
 */
const DEFAULT_EXACT_CAPACITY = 2 ** 16;
const INITIAL_CAPACITY = 1024;

/**
 * Quantiles, count and mean of every non-NaN value of a run. Up to `exactCapacity` values the quantiles are
 * exactly pandas `s.quantile(q)` (numpy "linear" interpolation over the sorted values); after that all values
 * move into a {@link DDSketch}, so memory stays flat however long the run, and `exact` reports which one
 * answered. Sorting is lazy: a query sorts only the values added since the previous query and merges them in.
 */
export class RunQuantiles {
  readonly exactCapacity: number;
  private readonly relativeAccuracy: number;
  private readonly moments = new RunningMoments();
  /** Exact values; [0, sortedLength) is ascending. Null once the sketch took over. */
  private values: Float64Array | null = new Float64Array(0);
  private sortedLength = 0;
  /** Merge buffer, kept between queries. */
  private scratch: Float64Array = new Float64Array(0);
  private sketch: DDSketch | null = null;

  constructor(options: RunQuantilesOptions = {}) {
    const exactCapacity = options.exactCapacity ?? DEFAULT_EXACT_CAPACITY;
    if (!Number.isInteger(exactCapacity) || exactCapacity < 0) {
      throw new ConfigError(
        `run quantiles exactCapacity=${exactCapacity}: must be an integer >= 0`,
        'exactCapacity',
      );
    }
    this.exactCapacity = exactCapacity;
    const relativeAccuracy = options.relativeAccuracy ?? 0.001;
    // Checked here rather than when the sketch takes over, hours into a run.
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      throw new ConfigError(
        `run quantiles relativeAccuracy=${relativeAccuracy}: must be in (0, 1)`,
        'relativeAccuracy',
      );
    }
    this.relativeAccuracy = relativeAccuracy;
  }

  /** Adds one value (NaN is counted as missing and otherwise ignored). */
  update(x: number): void {
    this.moments.update(x);
    if (Number.isNaN(x)) return;
    if (this.sketch !== null) {
      this.sketch.add(x);
      return;
    }
    const n = this.moments.count - 1;
    let values = this.values as Float64Array;
    if (n === this.exactCapacity) {
      this.switchToSketch(values, n).add(x);
      return;
    }
    if (n === values.length) {
      const grown = new Float64Array(Math.min(this.exactCapacity, Math.max(INITIAL_CAPACITY, 2 * n)));
      grown.set(values);
      this.values = values = grown;
    }
    values[n] = x;
  }

  /** Returns the `q`-quantile (q in [0, 1]) of the values so far, NaN before the first. */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new ConfigError(`quantile q=${q}: must be in [0, 1]`, 'q');
    // pandas hands numpy q * 100 as a percentile and numpy divides it by 100 again; that round trip moves some
    // q by one ulp (0.999 -> 0.9990000000000001), and exact means bit-identical to pandas.
    const pandasQ = (q * 100) / 100;
    if (this.sketch !== null) return this.sketch.quantile(pandasQ);
    return linearQuantileOfSorted(this.sortedValues(), this.moments.count, pandasQ);
  }

  /** Returns p01 … p99 of the values so far (NaN before the first). */
  summary(): QuantileSummary {
    const out: Record<string, number> = {};
    for (const [key, q] of Object.entries(SUMMARY_QUANTILES)) out[key] = this.quantile(q);
    return out as QuantileSummary;
  }

  /** True while quantiles are exact, false once the sketch answers (relative error <= its accuracy). */
  get exact(): boolean {
    return this.sketch === null;
  }

  /** Non-NaN values added. */
  get count(): number {
    return this.moments.count;
  }

  /** NaN values added. */
  get missing(): number {
    return this.moments.missing;
  }

  /** Returns the mean of the values (always exact up to rounding), NaN before the first. */
  get mean(): number {
    return this.moments.mean;
  }

  /** Returns the smallest value (exact), NaN before the first. */
  get min(): number {
    return this.moments.min;
  }

  /** Returns the largest value (exact), NaN before the first. */
  get max(): number {
    return this.moments.max;
  }

  reset(): void {
    this.moments.reset();
    this.values = new Float64Array(0);
    this.sortedLength = 0;
    this.scratch = new Float64Array(0);
    this.sketch = null;
  }

  private switchToSketch(values: Float64Array, n: number): DDSketch {
    const sketch = new DDSketch({ relativeAccuracy: this.relativeAccuracy });
    for (let i = 0; i < n; i++) sketch.add(values[i] as number);
    this.sketch = sketch;
    this.values = null;
    this.scratch = new Float64Array(0);
    return sketch;
  }

  /** Returns the exact values, ascending in [0, count): sorts the unsorted tail and merges it in. */
  private sortedValues(): Float64Array {
    const values = this.values as Float64Array;
    const n = this.moments.count;
    const sortedLength = this.sortedLength;
    if (sortedLength === n) return values;
    values.subarray(sortedLength, n).sort();
    if (sortedLength > 0) {
      if (this.scratch.length < values.length) this.scratch = new Float64Array(values.length);
      const merged = this.scratch;
      let i = 0;
      let j = sortedLength;
      let k = 0;
      while (i < sortedLength && j < n) {
        const a = values[i] as number;
        const b = values[j] as number;
        if (b < a) {
          merged[k++] = b;
          j++;
        } else {
          merged[k++] = a;
          i++;
        }
      }
      while (i < sortedLength) merged[k++] = values[i++] as number;
      while (j < n) merged[k++] = values[j++] as number;
      this.scratch = values;
      this.values = merged;
    }
    this.sortedLength = n;
    return this.values as Float64Array;
  }
}
