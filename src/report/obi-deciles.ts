/**
 * Mean forward return by obi decile, in bounded memory. obi lies in [-1, 1] by construction (a normalised
 * difference of two non-negative volumes), so a fixed histogram of fine bins (width 0.001 by default) holds
 * the whole run: each bin keeps its row count and the return moments per horizon. At the end the bins are cut
 * into ten groups of (nearly) equal row counts — deciles to within one bin — and each group's moments are the
 * sum of its bins'. This is the usual "bucketed IC" view of a signal (Grinold & Kahn, Active Portfolio
 * Management, ch. 16): a monotone staircase means the signal orders returns.
 */
import { ReturnMoments, type ReturnSummary } from './return-moments.js';

/** One decile: the obi range it covers and the forward returns that followed. */
export interface DecileRow {
  /** 1 … 10. */
  readonly decile: number;
  /** Lower and upper obi edges of the decile's bins. */
  readonly obiLow: number;
  readonly obiHigh: number;
  /** Rows with an obi in this decile. */
  readonly rows: number;
  /** One summary per horizon, in the order the accumulator was given. */
  readonly returns: readonly ReturnSummary[];
}

const DEFAULT_BINS = 2000;
const DECILES = 10;

export class ObiDeciles {
  private readonly rowCounts: Float64Array;
  private readonly moments: ReturnMoments[][];

  /** `horizons` = number of forward-return columns fed to {@link add}. */
  constructor(
    readonly horizons: number,
    readonly bins: number = DEFAULT_BINS,
  ) {
    this.rowCounts = new Float64Array(bins);
    this.moments = Array.from({ length: bins }, () =>
      Array.from({ length: horizons }, () => new ReturnMoments()),
    );
  }

  /** Adds one row: its obi (NaN or outside [-1, 1] is skipped) and its forward return per horizon. */
  add(obi: number, returns: ArrayLike<number>): void {
    if (!(obi >= -1 && obi <= 1)) return;
    const bin = Math.min(this.bins - 1, Math.floor(((obi + 1) / 2) * this.bins));
    this.rowCounts[bin]! += 1;
    const m = this.moments[bin]!;
    for (let h = 0; h < this.horizons; h++) m[h]!.add(returns[h] ?? Number.NaN);
  }

  /** Returns the deciles that hold rows (fewer than ten when obi takes few distinct values). */
  result(): DecileRow[] {
    let total = 0;
    for (const c of this.rowCounts) total += c;
    if (total === 0) return [];
    const groups: { low: number; high: number; rows: number; moments: ReturnMoments[] }[] = [];
    let before = 0;
    for (let b = 0; b < this.bins; b++) {
      const c = this.rowCounts[b]!;
      if (c === 0) continue;
      // A bin belongs to the decile that holds the middle of its mass.
      const d = Math.min(DECILES - 1, Math.floor(((before + c / 2) / total) * DECILES));
      before += c;
      const low = -1 + (2 * b) / this.bins;
      const high = -1 + (2 * (b + 1)) / this.bins;
      let g = groups[d];
      if (g === undefined) {
        g = { low, high, rows: 0, moments: Array.from({ length: this.horizons }, () => new ReturnMoments()) };
        groups[d] = g;
      }
      g.high = high;
      g.rows += c;
      for (let h = 0; h < this.horizons; h++) g.moments[h]!.merge(this.moments[b]![h]!);
    }
    const rows: DecileRow[] = [];
    groups.forEach((g, d) => {
      rows.push({
        decile: d + 1,
        obiLow: g.low,
        obiHigh: g.high,
        rows: g.rows,
        returns: g.moments.map((m) => m.summary()),
      });
    });
    return rows;
  }
}
