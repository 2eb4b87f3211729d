/**
 * Display downsampling in bounded memory: a run of any length folds into at most `capacity` equal-width time
 * buckets. The width starts small and doubles (merging neighbouring pairs) whenever a row falls past the last
 * bucket, so 24 hours at 10 Hz (864k rows) cost the same memory as one minute.
 *
 * Per bucket and series it keeps count, sum, min, max and the times of the min and the max, which is what a
 * min/max-per-pixel plot needs (the "M4" idea of Jugel et al. 2014, VLDB: a line drawn through each pixel
 * column's extremes, in time order, looks exactly like the full line). Per bucket it also keeps counters
 * (row statuses, gate states) for shading and quality strips.
 */
import { ConfigError } from '../errors.js';

/** Options of {@link TimeBuckets}. */
export interface TimeBucketsOptions {
  /** Continuous series kept per bucket, by name. */
  readonly series: readonly string[];
  /** Counters kept per bucket, by name. */
  readonly counters?: readonly string[];
  /**
   * Most buckets; about one per horizontal pixel of a chart.
   * @default 1000
   */
  readonly capacity?: number;
  /**
   * Width of a bucket before any merge, in ms.
   * @default 1
   */
  readonly initialWidthMs?: number;
}

/** One series of bucket points, for a line chart: two points per bucket (min and max, in time order). */
export interface EnvelopePoints {
  /** Bucket-local x positions in ms (shared by every series: start + w/4 and start + 3w/4). */
  readonly xMs: number[];
  /** `null` where a bucket has no value (a gap in the line). */
  readonly y: (number | null)[];
}

const DEFAULT_CAPACITY = 1000;
/** Fields per (bucket, series): count, sum, min, max, time of min, time of max. */
const FIELDS = 6;
const COUNT = 0;
const SUM = 1;
const MIN = 2;
const MAX = 3;
const T_MIN = 4;
const T_MAX = 5;

export class TimeBuckets {
  readonly capacity: number;
  readonly seriesNames: readonly string[];
  readonly counterNames: readonly string[];
  private width: number;
  private origin = Number.NaN;
  private used = 0;
  private readonly stats: Float64Array;
  private readonly counts: Float64Array;
  private readonly rows: Float64Array;

  constructor(options: TimeBucketsOptions) {
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 2) {
      throw new ConfigError(
        `time buckets: capacity must be a whole number >= 2 (got ${capacity})`,
        'capacity',
      );
    }
    const width = options.initialWidthMs ?? 1;
    if (!(width > 0) || !Number.isFinite(width)) {
      throw new ConfigError(`time buckets: initialWidthMs must be > 0 (got ${width})`, 'initialWidthMs');
    }
    this.capacity = capacity;
    this.width = width;
    this.seriesNames = [...options.series];
    this.counterNames = [...(options.counters ?? [])];
    this.stats = new Float64Array(capacity * this.seriesNames.length * FIELDS);
    this.counts = new Float64Array(capacity * this.counterNames.length);
    this.rows = new Float64Array(capacity);
    this.clearStats(0, capacity);
  }

  /** Width of one bucket now, in ms. */
  get widthMs(): number {
    return this.width;
  }

  /** Start of the first bucket (the first row's time), NaN before any row. */
  get originMs(): number {
    return this.origin;
  }

  /** Buckets in use (the last one holding a row, plus one). */
  get length(): number {
    return this.used;
  }

  /**
   * Adds one row at `timeMs`: `values[i]` for series i (NaN: no value), and +1 to each counter index in
   * `counters`. A row earlier than the first goes to the first bucket.
   */
  add(timeMs: number, values: ArrayLike<number>, counters: ArrayLike<number> = []): void {
    if (!Number.isFinite(timeMs)) return;
    if (Number.isNaN(this.origin)) this.origin = timeMs;
    let index = Math.floor((timeMs - this.origin) / this.width);
    if (index < 0) index = 0;
    while (index >= this.capacity) {
      this.mergePairs();
      index = Math.floor((timeMs - this.origin) / this.width);
    }
    if (index + 1 > this.used) this.used = index + 1;
    this.rows[index]! += 1;
    const S = this.seriesNames.length;
    for (let s = 0; s < S; s++) {
      const v = values[s];
      if (v === undefined || Number.isNaN(v)) continue;
      const at = (index * S + s) * FIELDS;
      const st = this.stats;
      st[at + COUNT]! += 1;
      st[at + SUM]! += v;
      if (v < st[at + MIN]!) {
        st[at + MIN] = v;
        st[at + T_MIN] = timeMs;
      }
      if (v > st[at + MAX]!) {
        st[at + MAX] = v;
        st[at + T_MAX] = timeMs;
      }
    }
    const C = this.counterNames.length;
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i]!;
      if (c >= 0 && c < C) this.counts[index * C + c]! += 1;
    }
  }

  /** Returns the start (ms) of bucket `i`. */
  startOf(i: number): number {
    return this.origin + i * this.width;
  }

  /** Returns the rows that fell into bucket `i`. */
  rowsIn(i: number): number {
    return this.rows[i] ?? 0;
  }

  /** Returns counter `c` of bucket `i`. */
  counter(i: number, c: number): number {
    return this.counts[i * this.counterNames.length + c] ?? 0;
  }

  /** Returns series `s`'s mean in bucket `i`, NaN when it has no value there. */
  mean(i: number, s: number): number {
    const at = (i * this.seriesNames.length + s) * FIELDS;
    const n = this.stats[at + COUNT]!;
    return n > 0 ? this.stats[at + SUM]! / n : Number.NaN;
  }

  /** Returns series `s`'s minimum in bucket `i`, NaN when it has no value there. */
  min(i: number, s: number): number {
    const at = (i * this.seriesNames.length + s) * FIELDS;
    return this.stats[at + COUNT]! > 0 ? this.stats[at + MIN]! : Number.NaN;
  }

  /** Returns series `s`'s maximum in bucket `i`, NaN when it has no value there. */
  max(i: number, s: number): number {
    const at = (i * this.seriesNames.length + s) * FIELDS;
    return this.stats[at + COUNT]! > 0 ? this.stats[at + MAX]! : Number.NaN;
  }

  /** Returns the x positions (ms) of the envelope points: two per bucket in use. */
  envelopeX(): number[] {
    const xs: number[] = [];
    for (let i = 0; i < this.used; i++) {
      const start = this.startOf(i);
      xs.push(start + this.width / 4, start + (3 * this.width) / 4);
    }
    return xs;
  }

  /**
   * Returns series `s` as two points per bucket: its min and max in the order they happened (a bucket with
   * one value gives that value twice), aligned with {@link envelopeX}. Empty buckets give `null`.
   */
  envelope(s: number): (number | null)[] {
    const ys: (number | null)[] = [];
    const S = this.seriesNames.length;
    for (let i = 0; i < this.used; i++) {
      const at = (i * S + s) * FIELDS;
      if (this.stats[at + COUNT] === 0) {
        ys.push(null, null);
      } else if (this.stats[at + T_MIN]! <= this.stats[at + T_MAX]!) {
        ys.push(this.stats[at + MIN]!, this.stats[at + MAX]!);
      } else {
        ys.push(this.stats[at + MAX]!, this.stats[at + MIN]!);
      }
    }
    return ys;
  }

  /** Returns series `s`'s bucket means twice per bucket, aligned with {@link envelopeX}; `null` when empty. */
  meanPoints(s: number): (number | null)[] {
    const ys: (number | null)[] = [];
    for (let i = 0; i < this.used; i++) {
      const m = this.mean(i, s);
      const y = Number.isNaN(m) ? null : m;
      ys.push(y, y);
    }
    return ys;
  }

  /** Doubles the width: bucket j becomes the merge of buckets 2j and 2j+1. */
  private mergePairs(): void {
    const S = this.seriesNames.length;
    const C = this.counterNames.length;
    const st = this.stats;
    const half = Math.ceil(this.used / 2);
    for (let j = 0; j < half; j++) {
      const a = 2 * j;
      const b = 2 * j + 1;
      this.rows[j] = this.rows[a]! + (b < this.used ? this.rows[b]! : 0);
      for (let s = 0; s < S; s++) {
        const to = (j * S + s) * FIELDS;
        const fa = (a * S + s) * FIELDS;
        const fb = (b * S + s) * FIELDS;
        const count = st[fa + COUNT]! + (b < this.used ? st[fb + COUNT]! : 0);
        const sum = st[fa + SUM]! + (b < this.used ? st[fb + SUM]! : 0);
        let min = st[fa + MIN]!;
        let tMin = st[fa + T_MIN]!;
        let max = st[fa + MAX]!;
        let tMax = st[fa + T_MAX]!;
        if (b < this.used) {
          if (st[fb + MIN]! < min) {
            min = st[fb + MIN]!;
            tMin = st[fb + T_MIN]!;
          }
          if (st[fb + MAX]! > max) {
            max = st[fb + MAX]!;
            tMax = st[fb + T_MAX]!;
          }
        }
        st[to + COUNT] = count;
        st[to + SUM] = sum;
        st[to + MIN] = min;
        st[to + T_MIN] = tMin;
        st[to + MAX] = max;
        st[to + T_MAX] = tMax;
      }
      for (let c = 0; c < C; c++) {
        this.counts[j * C + c] = this.counts[a * C + c]! + (b < this.used ? this.counts[b * C + c]! : 0);
      }
    }
    this.clearStats(half, this.capacity);
    this.used = half;
    this.width *= 2;
  }

  private clearStats(from: number, to: number): void {
    const S = this.seriesNames.length;
    const C = this.counterNames.length;
    for (let i = from; i < to; i++) {
      this.rows[i] = 0;
      for (let s = 0; s < S; s++) {
        const at = (i * S + s) * FIELDS;
        this.stats[at + COUNT] = 0;
        this.stats[at + SUM] = 0;
        this.stats[at + MIN] = Number.POSITIVE_INFINITY;
        this.stats[at + MAX] = Number.NEGATIVE_INFINITY;
        this.stats[at + T_MIN] = Number.NaN;
        this.stats[at + T_MAX] = Number.NaN;
      }
      for (let c = 0; c < C; c++) this.counts[i * C + c] = 0;
    }
  }
}
