/**
 * What a signal says about the forward return at one horizon: how often the mid moved at all, the
 * information coefficient (IC: correlation of the signal with the forward return; Pearson over the whole
 * run, exact Spearman over the rank window), and the hit rate of sign(obi) against sign(return) over rows
 * where both are non-zero, with Wilson's 95% interval (Wilson 1927, JASA 22).
 * On large-tick books the mid rarely moves within a short horizon: `mid_rarely_moves` is true when at least
 * half the labelled rows have a zero return, and the IC is then dominated by the few rows that moved.
 */
import { OnlineCorrelation } from '../stats/online-correlation.js';
import { RunningMoments } from '../stats/running-moments.js';
import { fisherInterval, RankedSeries, shiftedSpearman } from './correlation-interval.js';
import type { SeriesWindow } from './series-window.js';

const Z_95 = 1.959963984540054;
/** Share of zero returns from which the output says the mid rarely moves. */
export const RARELY_MOVES_ZERO_SHARE = 0.5;

export interface InformationCoefficient {
  readonly pearson: number;
  readonly pearson_ci95: readonly [number, number];
  readonly n: number;
  readonly spearman: number;
  readonly spearman_ci95: readonly [number, number];
  readonly spearman_n: number;
}

export interface HorizonResult {
  readonly horizon_sec: number;
  readonly column: string;
  /** Rows whose forward return is known. */
  readonly labelled: number;
  /** Rows whose forward return is missing (gap, resync, end of run, invalid row). */
  readonly unlabelled: number;
  readonly zero_move_share: number;
  readonly up_share: number;
  readonly down_share: number;
  readonly mid_rarely_moves: boolean;
  readonly mean: number;
  readonly std: number;
  /** Signal → its IC at this horizon. */
  readonly ic: Readonly<Record<string, InformationCoefficient>>;
  readonly hit_rate: {
    readonly signal: 'obi';
    readonly rate: number;
    readonly n: number;
    readonly ci95: readonly [number, number];
  };
}

/** Returns Wilson's 95% score interval for `hits` successes in `n` trials ([NaN, NaN] when n = 0). */
export function wilsonInterval(hits: number, n: number): [number, number] {
  if (n <= 0) return [Number.NaN, Number.NaN];
  const p = hits / n;
  const z2 = Z_95 * Z_95;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (Z_95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export class HorizonMetrics {
  private labelled = 0;
  private unlabelled = 0;
  private zero = 0;
  private up = 0;
  private down = 0;
  private readonly moments = new RunningMoments();
  private readonly ic: OnlineCorrelation[];
  private hits = 0;
  private hitTrials = 0;

  /**
   * `window` holds the signals in columns signalColumns[i] and this horizon's return in returnColumn;
   * the caller pushes each row into it.
   */
  constructor(
    readonly horizonMs: number,
    readonly column: string,
    readonly signalNames: readonly string[],
    private readonly window: SeriesWindow,
    private readonly signalColumns: readonly number[],
    private readonly returnColumn: number,
  ) {
    this.ic = signalNames.map(() => new OnlineCorrelation());
  }

  /** Feeds one finished row: its signals (in `signalNames` order, `obi` first) and forward return. */
  update(signals: ArrayLike<number>, ret: number): void {
    if (Number.isNaN(ret)) {
      this.unlabelled++;
      return;
    }
    this.labelled++;
    if (ret > 0) this.up++;
    else if (ret < 0) this.down++;
    else this.zero++;
    this.moments.update(ret);
    for (let s = 0; s < this.ic.length; s++) this.ic[s]!.update(signals[s]!, ret);
    const obi = signals[0]!;
    if (ret !== 0 && obi !== 0 && !Number.isNaN(obi)) {
      this.hitTrials++;
      if (obi > 0 === ret > 0) this.hits++;
    }
  }

  /**
   * Returns the horizon's metrics (the Spearman ICs are computed now, over the window); `ranked` may hand
   * out the window's columns already sorted.
   */
  result(
    ranked: (column: number) => RankedSeries = (c) => new RankedSeries(this.window.series(c)),
  ): HorizonResult {
    const n = this.labelled;
    const share = (k: number): number => (n > 0 ? k / n : Number.NaN);
    const r = ranked(this.returnColumn);
    const ic: Record<string, InformationCoefficient> = {};
    this.signalNames.forEach((name, s) => {
      const c = this.ic[s]!;
      const sp = shiftedSpearman(ranked(this.signalColumns[s]!), r, 0);
      ic[name] = {
        pearson: c.correlation,
        pearson_ci95: fisherInterval(c.correlation, c.count, 'pearson'),
        n: c.count,
        spearman: sp.r,
        spearman_ci95: fisherInterval(sp.r, sp.n, 'spearman'),
        spearman_n: sp.n,
      };
    });
    return {
      horizon_sec: this.horizonMs / 1000,
      column: this.column,
      labelled: n,
      unlabelled: this.unlabelled,
      zero_move_share: share(this.zero),
      up_share: share(this.up),
      down_share: share(this.down),
      mid_rarely_moves: n > 0 && this.zero / n >= RARELY_MOVES_ZERO_SHARE,
      mean: this.moments.mean,
      std: this.moments.std,
      ic,
      hit_rate: {
        signal: 'obi',
        rate: this.hitTrials > 0 ? this.hits / this.hitTrials : Number.NaN,
        n: this.hitTrials,
        ci95: wilsonInterval(this.hits, this.hitTrials),
      },
    };
  }
}
