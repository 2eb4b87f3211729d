/**
 * Lead/lag profile: the correlation of a signal at row t with the one-interval log return of the mid at
 * row t + k, for k = −K..K. Lag k > 0 pairs the signal with the return k sample intervals AFTER it (the
 * signal leads: predictive), k < 0 with a return before it (the signal follows), k = 0 with the return into
 * t. k = 0 and k = 1 on `obi` are exactly the seed's `corr_obi_midret` and `corr_obi_lead_midret`.
 * Lags count rows, missing rows included, so a lag never silently shrinks across a gap; a pair with a NaN on
 * either side (a return into or out of a missing row) is skipped.
 *
 * Pearson is streamed over the whole run (O(K) per row). Spearman is exact, over the last `rankWindowRows`
 * rows (the whole run when shorter: `spearman_rows` says how many), computed when the result is read.
 */
import { OnlineCorrelation } from '../stats/online-correlation.js';
import { fisherInterval, RankedSeries, shiftedSpearman } from './correlation-interval.js';
import type { SeriesWindow } from './series-window.js';

/** One lag of one signal's profile. */
export interface LagCorrelation {
  readonly lag: number;
  readonly pearson: number;
  readonly pearson_ci95: readonly [number, number];
  readonly n: number;
  readonly spearman: number;
  readonly spearman_ci95: readonly [number, number];
  readonly spearman_n: number;
}

export interface LeadLagResult {
  readonly max_lag: number;
  /** Rows the Spearman values come from (the last ones of the run). */
  readonly spearman_rows: number;
  /** True when the Spearman values cover every row of the run. */
  readonly spearman_whole_run: boolean;
  /** Signal → lags −K..K in order. */
  readonly signals: Readonly<Record<string, readonly LagCorrelation[]>>;
  /** Signal → the lag k >= 1 with the largest |Pearson| (null when none is a number). */
  readonly peak: Readonly<Record<string, { readonly lag: number; readonly pearson: number } | null>>;
}

export class LeadLagProfile {
  readonly maxLag: number;
  private readonly pearson: OnlineCorrelation[][];
  /** Last K+1 signal values per signal and last K+1 returns, newest at (count - 1) % (K + 1). */
  private readonly pastSignals: Float64Array[];
  private readonly pastReturns: Float64Array;
  private rows = 0;

  /**
   * `window` holds the signals in columns signalColumns[i] and the return in column returnColumn; the
   * caller pushes each row into it (it is shared with other metrics).
   */
  constructor(
    readonly signalNames: readonly string[],
    maxLag: number,
    private readonly window: SeriesWindow,
    private readonly signalColumns: readonly number[],
    private readonly returnColumn: number,
  ) {
    this.maxLag = maxLag;
    this.pearson = signalNames.map(() =>
      Array.from({ length: 2 * maxLag + 1 }, () => new OnlineCorrelation()),
    );
    this.pastSignals = signalNames.map(() => new Float64Array(maxLag + 1));
    this.pastReturns = new Float64Array(maxLag + 1);
  }

  /** Feeds one row: the signals at t (in `signalNames` order) and the log return into t. */
  update(signals: ArrayLike<number>, ret: number): void {
    const K = this.maxLag;
    const ring = K + 1;
    const t = this.rows;
    const slot = t % ring;
    this.pastReturns[slot] = ret;
    for (let s = 0; s < this.signalNames.length; s++) {
      const past = this.pastSignals[s]!;
      past[slot] = signals[s]!;
      const byLag = this.pearson[s]!;
      // Lag +k: signal at t − k with the return at t.
      for (let k = 0; k <= K && k <= t; k++) byLag[K + k]!.update(past[(t - k) % ring]!, ret);
      // Lag −k: signal at t with the return at t − k.
      const x = signals[s]!;
      for (let k = 1; k <= K && k <= t; k++) byLag[K - k]!.update(x, this.pastReturns[(t - k) % ring]!);
    }
    this.rows++;
  }

  /**
   * Returns the profile. The exact Spearman values cost one sort per series and O(W) per lag for a window of
   * W rows; `ranked` may hand out the window's columns already sorted (shared with other metrics).
   */
  result(
    ranked: (column: number) => RankedSeries = (c) => new RankedSeries(this.window.series(c)),
  ): LeadLagResult {
    const K = this.maxLag;
    const r = ranked(this.returnColumn);
    const m = r.values.length;
    const signals: Record<string, LagCorrelation[]> = {};
    const peak: Record<string, { lag: number; pearson: number } | null> = {};
    this.signalNames.forEach((name, s) => {
      const x = ranked(this.signalColumns[s]!);
      const lags: LagCorrelation[] = [];
      let best: { lag: number; pearson: number } | null = null;
      for (let i = 0; i <= 2 * K; i++) {
        const k = i - K;
        const c = this.pearson[s]![i]!;
        const pr = c.correlation;
        const sp = shiftedSpearman(x, r, k);
        lags.push({
          lag: k,
          pearson: pr,
          pearson_ci95: fisherInterval(pr, c.count, 'pearson'),
          n: c.count,
          spearman: sp.r,
          spearman_ci95: fisherInterval(sp.r, sp.n, 'spearman'),
          spearman_n: sp.n,
        });
        if (k >= 1 && Number.isFinite(pr) && (best === null || Math.abs(pr) > Math.abs(best.pearson))) {
          best = { lag: k, pearson: pr };
        }
      }
      signals[name] = lags;
      peak[name] = best;
    });
    return {
      max_lag: K,
      spearman_rows: m,
      spearman_whole_run: this.window.pushed === m,
      signals,
      peak,
    };
  }
}
