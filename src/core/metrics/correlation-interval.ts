/**
 * Exact Spearman rank correlation of stored pairs and 95% intervals of correlations by Fisher's z.
 * Both assume independent pairs; with autocorrelated inputs (a smoothed imbalance, overlapping forward
 * returns) the true uncertainty is wider (docs/metrics.md, "What the intervals mean").
 */

/** 1.959964: the two-sided 95% normal quantile. */
const Z_95 = 1.959963984540054;

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

/**
 * A series with its ascending order (NaN left out), sorted once so that rank correlations of many pairings
 * of it (e.g. every lag of a lead/lag profile) cost O(n) each instead of a sort each.
 */
export class RankedSeries {
  readonly values: Float64Array;
  /** Indices of the non-NaN values, ascending by value. */
  readonly order: Uint32Array;

  constructor(values: Float64Array) {
    this.values = values;
    let n = 0;
    for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) n++;
    const order = new Uint32Array(n);
    n = 0;
    for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) order[n++] = i;
    order.sort((a, b) => values[a]! - values[b]!);
    this.order = order;
  }
}

/**
 * Returns Spearman's rank correlation of the pairs (x[i], y[i + shift]) over every i where both exist and
 * neither is NaN: the Pearson correlation of the ranks within those pairs, ties given their average rank
 * (as pandas `corr(method="spearman")` and scipy do). NaN with fewer than 2 pairs or a constant side. O(n)
 * given the two sorted series.
 */
export function shiftedSpearman(x: RankedSeries, y: RankedSeries, shift: number): { r: number; n: number } {
  const xOffset = Math.max(0, -shift);
  const yOffset = Math.max(0, shift);
  const length = Math.max(0, Math.min(x.values.length - xOffset, y.values.length - yOffset));
  const include = new Uint8Array(length);
  let n = 0;
  for (let p = 0; p < length; p++) {
    if (!Number.isNaN(x.values[p + xOffset]!) && !Number.isNaN(y.values[p + yOffset]!)) {
      include[p] = 1;
      n++;
    }
  }
  if (n < 2) return { r: Number.NaN, n };
  const rx = new Float64Array(length);
  const ry = new Float64Array(length);
  ranksWithin(x, include, xOffset, rx);
  ranksWithin(y, include, yOffset, ry);
  return { r: pearsonWhere(rx, ry, include, n), n };
}

/** Returns Spearman's rank correlation of (x[i], y[i]), i < length, skipping pairs with a NaN. */
export function spearman(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  length: number,
): { r: number; n: number } {
  const xs = Float64Array.from({ length }, (_, i) => x[i]!);
  const ys = Float64Array.from({ length }, (_, i) => y[i]!);
  return shiftedSpearman(new RankedSeries(xs), new RankedSeries(ys), 0);
}

/**
 * Writes into out[p] the 1-based average rank of series value p + offset among the included pairs p
 * (include[p] = 1), walking the series' order once: equal values form one group sharing the mean rank.
 */
function ranksWithin(series: RankedSeries, include: Uint8Array, offset: number, out: Float64Array): void {
  const { order, values } = series;
  const m = include.length;
  const length = order.length;
  let rank = 0;
  let i = 0;
  while (i < length) {
    const v = values[order[i]!]!;
    let j = i;
    let count = 0;
    for (; j < length; j++) {
      const index = order[j]!;
      // The group always holds order[i] itself: with `!==` alone a NaN never equals itself, the group would
      // be empty and `i` would never advance (an endless loop). NaNs form one group of their own.
      if (j > i && !sameValue(values[index]!, v)) break;
      const p = index - offset;
      if (p >= 0 && p < m && include[p] === 1) count++;
    }
    if (count > 0) {
      const average = rank + (count + 1) / 2;
      for (let t = i; t < j; t++) {
        const p = order[t]! - offset;
        if (p >= 0 && p < m && include[p] === 1) out[p] = average;
      }
      rank += count;
    }
    i = j;
  }
}

function sameValue(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

/** Two-pass Pearson correlation of a[i], b[i] over the n indices with include[i] = 1; NaN for a constant side. */
function pearsonWhere(a: Float64Array, b: Float64Array, include: Uint8Array, n: number): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < include.length; i++) {
    if (include[i] === 0) continue;
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < include.length; i++) {
    if (include[i] === 0) continue;
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
