/**
 * Exact Spearman rank correlation of stored pairs and 95% intervals of correlations by Fisher's z.
 * Both assume independent pairs; with autocorrelated inputs (a smoothed imbalance, overlapping forward
 * returns) the true uncertainty is wider (docs/metrics.md, "What the intervals mean").
 */

/** 1.959964: the two-sided 95% normal quantile. */
const Z_95 = 1.959963984540054;

/** A correlation with its sample size and 95% interval. */
export interface CorrelationEstimate {
  readonly r: number;
  readonly n: number;
  readonly ci95: readonly [low: number, high: number];
}

/**
 * Returns the 95% interval of a correlation r from n pairs by Fisher's z: tanh(atanh r ± 1.96 · se) with
 * se = 1/√(n−3) for Pearson, √(1.06/(n−3)) for Spearman (Fieller, Hartley & Pearson 1957, Biometrika 44);
 * [NaN, NaN] with n <= 3 or r NaN.
 */
export function fisherInterval(r: number, n: number, kind: 'pearson' | 'spearman'): [number, number] {
  if (!(n > 3) || Number.isNaN(r)) return [Number.NaN, Number.NaN];
  const se = Math.sqrt((kind === 'spearman' ? 1.06 : 1) / (n - 3));
  const z = Math.atanh(r);
  return [Math.tanh(z - Z_95 * se), Math.tanh(z + Z_95 * se)];
}

/** Returns the estimate with its Fisher interval. */
export function withInterval(r: number, n: number, kind: 'pearson' | 'spearman'): CorrelationEstimate {
  return { r, n, ci95: fisherInterval(r, n, kind) };
}

/**
 * Returns Spearman's rank correlation of the pairs (x[i], y[i]), i < length, skipping pairs with a NaN: the
 * Pearson correlation of the ranks, ties given their average rank (as pandas `corr(method="spearman")` and
 * scipy do). NaN with fewer than 2 complete pairs or a constant side. O(n log n); `scratch` arrays (length
 * >= length) avoid allocation when given.
 */
export function spearman(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  length: number,
  scratch?: { a: Float64Array; b: Float64Array; c: Float64Array; d: Float64Array },
): { r: number; n: number } {
  const xs = scratch?.a ?? new Float64Array(length);
  const ys = scratch?.b ?? new Float64Array(length);
  let n = 0;
  for (let i = 0; i < length; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    if (Number.isNaN(xi) || Number.isNaN(yi)) continue;
    xs[n] = xi;
    ys[n] = yi;
    n++;
  }
  if (n < 2) return { r: Number.NaN, n };
  const rx = scratch?.c ?? new Float64Array(length);
  const ry = scratch?.d ?? new Float64Array(length);
  averageRanks(xs, n, rx);
  averageRanks(ys, n, ry);
  return { r: pearson(rx, ry, n), n };
}

/** Writes into `out` the 1-based average ranks of values[0..n). Sorts a copy; values is left unchanged. */
function averageRanks(values: Float64Array, n: number, out: Float64Array): void {
  const sorted = values.slice(0, n).sort();
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const lo = lowerBound(sorted, n, v);
    const hi = upperBound(sorted, n, v);
    // Positions lo..hi-1 (0-based) share the value: average 1-based rank (lo + 1 + hi) / 2.
    out[i] = (lo + 1 + hi) / 2;
  }
}

function lowerBound(a: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Two-pass Pearson correlation of a[0..n), b[0..n); NaN for a constant side. */
function pearson(a: Float64Array, b: Float64Array, n: number): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    saa += da * da;
    sbb += db * db;
    sab += da * db;
  }
  if (!(saa > 0 && sbb > 0)) return Number.NaN;
  const r = sab / Math.sqrt(saa) / Math.sqrt(sbb);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}
