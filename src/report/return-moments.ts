/**
 * Count, sum and sum of squares of forward returns, and what a table of conditional returns shows from them:
 * the mean, its standard error and t-statistic, and the shares of up and down moves. Sums (rather than
 * Welford) because groups are merged by adding (decile bins, gate states); returns are small and centred
 * near zero, so the textbook variance formula loses nothing that matters here.
 */

/** What a report shows about one group of forward returns. */
export interface ReturnSummary {
  /** Returns that were not NaN. */
  readonly n: number;
  /** Mean return (log, as in the CSV); null when n = 0. */
  readonly mean: number | null;
  /** Standard error of the mean, s / √n; null when n < 2. */
  readonly se: number | null;
  /** t-statistic of the mean against 0; null when n < 2 or s = 0. */
  readonly t: number | null;
  /** Share of returns > 0; null when n = 0. */
  readonly up: number | null;
  /** Share of returns < 0; null when n = 0. */
  readonly down: number | null;
}

export class ReturnMoments {
  n = 0;
  sum = 0;
  sumSquares = 0;
  ups = 0;
  downs = 0;

  /** Adds one return (NaN is skipped). */
  add(r: number): void {
    if (Number.isNaN(r)) return;
    this.n++;
    this.sum += r;
    this.sumSquares += r * r;
    if (r > 0) this.ups++;
    else if (r < 0) this.downs++;
  }

  /** Adds every return of `other`. */
  merge(other: ReturnMoments): void {
    this.n += other.n;
    this.sum += other.sum;
    this.sumSquares += other.sumSquares;
    this.ups += other.ups;
    this.downs += other.downs;
  }

  /** Returns the summary. */
  summary(): ReturnSummary {
    const n = this.n;
    if (n === 0) return { n, mean: null, se: null, t: null, up: null, down: null };
    const mean = this.sum / n;
    let se: number | null = null;
    let t: number | null = null;
    if (n >= 2) {
      const variance = Math.max(0, (this.sumSquares - (this.sum * this.sum) / n) / (n - 1));
      se = Math.sqrt(variance / n);
      t = se > 0 ? mean / se : null;
    }
    return { n, mean, se, t, up: this.ups / n, down: this.downs / n };
  }
}
