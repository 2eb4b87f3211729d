import { ConfigError } from '../../errors.js';
import { lerpLikeNumpy } from './linear-quantile.js';

/** Options of {@link DDSketch}. */
export interface DDSketchOptions {
  /**
   * Relative accuracy alpha: every reported order statistic is within alpha * |value| of the true one.
   * @default 0.001
   */
  readonly relativeAccuracy?: number;
  /**
   * Buckets kept per sign. Past it, the buckets nearest zero are merged ("collapsing lowest", DDSketch §2.2),
   * so memory stays bounded whatever the input; with the defaults that only happens for values more than
   * about 1e28 times smaller in magnitude than the largest.
   * @default 32768
   */
  readonly maxBucketsPerSign?: number;
}

const DEFAULT_RELATIVE_ACCURACY = 0.001;
const DEFAULT_MAX_BUCKETS_PER_SIGN = 32_768;
const INITIAL_BUCKETS = 128;

/**
 * A quantile sketch with relative-error guarantees and bounded memory (Masson, Rim & Lee 2019, "DDSketch: a
 * fast and fully-mergeable quantile sketch with relative-error guarantees", VLDB 12(12)). A magnitude v > 0
 * is counted in bucket k = ceil(log_gamma v), gamma = (1 + alpha) / (1 - alpha), which covers
 * (gamma^(k-1), gamma^k] and is represented by 2 gamma^k / (gamma + 1), within alpha of every value in it.
 * Negative values use a second store of their magnitudes, zeros a counter, infinities counters of their own.
 * Quantiles interpolate between the estimated order statistics like numpy's default "linear" method.
 */
export class DDSketch {
  readonly relativeAccuracy: number;
  readonly maxBucketsPerSign: number;
  private readonly logGamma: number;
  /** 2 / (gamma + 1): turns gamma^k into the bucket's representative value. */
  private readonly representativeFactor: number;
  private readonly positives: BucketStore;
  private readonly negatives: BucketStore;
  private zeroCount = 0;
  private positiveInfinityCount = 0;
  private negativeInfinityCount = 0;
  private total = 0;
  private smallest = Number.POSITIVE_INFINITY;
  private largest = Number.NEGATIVE_INFINITY;

  constructor(options: DDSketchOptions = {}) {
    const alpha = options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
    if (!(alpha > 0 && alpha < 1)) {
      throw new ConfigError(`sketch relativeAccuracy=${alpha}: must be in (0, 1)`, 'relativeAccuracy');
    }
    const maxBuckets = options.maxBucketsPerSign ?? DEFAULT_MAX_BUCKETS_PER_SIGN;
    if (!Number.isInteger(maxBuckets) || maxBuckets < 1) {
      throw new ConfigError(
        `sketch maxBucketsPerSign=${maxBuckets}: must be an integer >= 1`,
        'maxBucketsPerSign',
      );
    }
    this.relativeAccuracy = alpha;
    this.maxBucketsPerSign = maxBuckets;
    // log1p keeps ln(gamma) accurate for small alpha, where gamma is close to 1.
    this.logGamma = Math.log1p((2 * alpha) / (1 - alpha));
    this.representativeFactor = 1 - alpha;
    this.positives = new BucketStore(maxBuckets);
    this.negatives = new BucketStore(maxBuckets);
  }

  /** Adds one value; NaN is ignored. */
  add(x: number): void {
    if (Number.isNaN(x)) return;
    this.total++;
    if (x < this.smallest) this.smallest = x;
    if (x > this.largest) this.largest = x;
    if (x > 0) {
      if (x === Number.POSITIVE_INFINITY) this.positiveInfinityCount++;
      else this.positives.add(this.keyOf(x));
    } else if (x < 0) {
      if (x === Number.NEGATIVE_INFINITY) this.negativeInfinityCount++;
      else this.negatives.add(this.keyOf(-x));
    } else {
      this.zeroCount++;
    }
  }

  /** Values added (NaN excluded). */
  get count(): number {
    return this.total;
  }

  /** Returns the smallest value added (exact), NaN when empty. */
  get min(): number {
    return this.total > 0 ? this.smallest : Number.NaN;
  }

  /** Returns the largest value added (exact), NaN when empty. */
  get max(): number {
    return this.total > 0 ? this.largest : Number.NaN;
  }

  /** Buckets allocated over both signs (at most 4 * maxBucketsPerSign): memory is about 8 bytes times this. */
  get bucketCapacity(): number {
    return this.positives.capacity + this.negatives.capacity;
  }

  /** Returns the estimated `q`-quantile (q in [0, 1]), NaN when empty; q = 0 and q = 1 give the exact min and max. */
  quantile(q: number): number {
    const n = this.total;
    if (n === 0) return Number.NaN;
    const position = (n - 1) * q;
    if (position >= n - 1) return this.largest;
    if (position <= 0) return this.smallest;
    const below = Math.floor(position);
    return lerpLikeNumpy(this.valueAtRank(below), this.valueAtRank(below + 1), position - below);
  }

  reset(): void {
    this.positives.clear();
    this.negatives.clear();
    this.zeroCount = 0;
    this.positiveInfinityCount = 0;
    this.negativeInfinityCount = 0;
    this.total = 0;
    this.smallest = Number.POSITIVE_INFINITY;
    this.largest = Number.NEGATIVE_INFINITY;
  }

  private keyOf(magnitude: number): number {
    return Math.ceil(Math.log(magnitude) / this.logGamma);
  }

  private representative(key: number): number {
    // 2 gamma^k / (gamma + 1) = gamma^k (1 - alpha).
    return Math.exp(key * this.logGamma) * this.representativeFactor;
  }

  /** Returns the estimate of the order statistic of 0-based `rank`, clamped to the exact [min, max]. */
  private valueAtRank(rank: number): number {
    if (rank === 0) return this.smallest;
    if (rank === this.total - 1) return this.largest;
    let seen = this.negativeInfinityCount;
    if (rank < seen) return Number.NEGATIVE_INFINITY;
    const negativeCount = this.negatives.total;
    if (rank < seen + negativeCount) {
      // Most negative first: the negative store walked from its largest magnitude down.
      const key = this.negatives.keyAtRankFromTop(rank - seen);
      return this.clamp(-this.representative(key));
    }
    seen += negativeCount;
    if (rank < seen + this.zeroCount) return 0;
    seen += this.zeroCount;
    if (rank < seen + this.positives.total) {
      return this.clamp(this.representative(this.positives.keyAtRankFromBottom(rank - seen)));
    }
    return Number.POSITIVE_INFINITY;
  }

  private clamp(v: number): number {
    return v < this.smallest ? this.smallest : v > this.largest ? this.largest : v;
  }
}

/**
 * Counts per integer bucket key in one dense typed array spanning [minKey, maxKey], growing as keys arrive
 * and never spanning more than `maxBuckets` keys: a key that would stretch it further collapses the lowest
 * keys into one bucket.
 */
class BucketStore {
  private counts = new Float64Array(0);
  /** Key of counts[0]. */
  private offset = 0;
  private minKey = 0;
  private maxKey = -1;
  total = 0;

  constructor(private readonly maxBuckets: number) {}

  get capacity(): number {
    return this.counts.length;
  }

  add(key: number): void {
    if (this.total === 0) {
      this.ensureRange(key, key);
      this.minKey = key;
      this.maxKey = key;
    } else if (key < this.minKey) {
      // Below a full span the value joins the lowest bucket the span allows.
      key = Math.max(key, this.maxKey - this.maxBuckets + 1);
      this.ensureRange(key, this.maxKey);
      this.minKey = key;
    } else if (key > this.maxKey) {
      const lowestKept = key - this.maxBuckets + 1;
      if (lowestKept > this.minKey) {
        let collapsed = 0;
        const last = Math.min(lowestKept - 1, this.maxKey);
        for (let k = this.minKey; k <= last; k++) {
          collapsed += this.counts[k - this.offset] as number;
          this.counts[k - this.offset] = 0;
        }
        this.ensureRange(lowestKept, key);
        this.minKey = lowestKept;
        this.maxKey = key;
        this.increment(lowestKept, collapsed);
      } else {
        this.ensureRange(this.minKey, key);
        this.maxKey = key;
      }
    }
    this.increment(key, 1);
    this.total++;
  }

  /** Returns the key holding the value of 0-based `rank` counted from the lowest key up. */
  keyAtRankFromBottom(rank: number): number {
    let seen = 0;
    for (let k = this.minKey; k <= this.maxKey; k++) {
      seen += this.counts[k - this.offset] as number;
      if (rank < seen) return k;
    }
    return this.maxKey;
  }

  /** Returns the key holding the value of 0-based `rank` counted from the highest key down. */
  keyAtRankFromTop(rank: number): number {
    let seen = 0;
    for (let k = this.maxKey; k >= this.minKey; k--) {
      seen += this.counts[k - this.offset] as number;
      if (rank < seen) return k;
    }
    return this.minKey;
  }

  clear(): void {
    this.counts.fill(0);
    this.minKey = 0;
    this.maxKey = -1;
    this.total = 0;
  }

  private increment(key: number, by: number): void {
    const i = key - this.offset;
    this.counts[i] = (this.counts[i] as number) + by;
  }

  /** Makes the array cover keys [lo, hi] (hi - lo < maxBuckets), keeping the counts of keys still covered. */
  private ensureRange(lo: number, hi: number): void {
    const length = this.counts.length;
    if (lo >= this.offset && hi < this.offset + length) return;
    const span = hi - lo + 1;
    // Up to twice the span, so that even a full span has room to drift: re-allocations stay rare (amortised O(1)).
    const capacity = Math.min(2 * this.maxBuckets, Math.max(INITIAL_BUCKETS, span * 2, length * 2));
    // Centre the used span so growth in either direction has room.
    const offset = lo - Math.floor((capacity - span) / 2);
    const counts = new Float64Array(capacity);
    if (this.total > 0) {
      const from = Math.max(this.minKey, lo);
      const to = Math.min(this.maxKey, hi);
      for (let k = from; k <= to; k++) counts[k - offset] = this.counts[k - this.offset] as number;
    }
    this.counts = counts;
    this.offset = offset;
  }
}
