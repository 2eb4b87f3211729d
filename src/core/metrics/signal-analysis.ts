/**
 * "Does imbalance predict?" for one symbol, accumulated from finished (labelled) rows in bounded memory:
 * the lead/lag profile, per-horizon IC / hit rate / zero-move share, the gate's per-state outcomes and the
 * online predictor's walk-forward scores. The keys and their meaning are documented in docs/metrics.md.
 */
import type { FeatureRow } from '../row/feature-row.js';
import { horizonColumn, horizonName } from '../labels/forward-returns.js';
import { RunningMoments } from '../stats/running-moments.js';
import { GateMetrics, type GateResult } from './gate-metrics.js';
import { HorizonMetrics, RARELY_MOVES_ZERO_SHARE, type HorizonResult } from './horizon-metrics.js';
import { LeadLagProfile, type LeadLagResult } from './lead-lag.js';
import { PredictorMetrics, type PredictorResult } from './predictor-metrics.js';
import { SeriesWindow } from './series-window.js';
import { RankedSeries } from './correlation-interval.js';

/** Rows kept for the exact Spearman values: 2^16 (18 h at 1 s), about 0.5 MB per stored series. */
export const RANK_WINDOW_ROWS = 65_536;

/** What the analysis needs to know about the run's options. */
export interface AnalysisOptions {
  readonly horizonsMs: readonly number[];
  /** The predictor's horizon (one of `horizonsMs`), or null when there is no predictor. */
  readonly predictHorizonMs: number | null;
  /** K of the lead/lag profile (lags −K..K). */
  readonly leadLagMax: number;
  /** Trade features (`tfi`, `vpin`) present. */
  readonly trades: boolean;
  /**
   * Rows kept for exact Spearman values.
   * @default RANK_WINDOW_ROWS
   */
  readonly rankWindowRows?: number;
}

export interface TradeFeatureSummary {
  readonly tfi_rows: number;
  readonly tfi_mean: number;
  readonly vpin_rows: number;
  readonly vpin_mean: number;
  readonly vpin_max: number;
}

/** The analysis keys added to each symbol's metrics. */
export interface AnalysisResult {
  readonly lead_lag: LeadLagResult;
  readonly horizons: Readonly<Record<string, HorizonResult>>;
  readonly gate: GateResult;
  readonly predictor: PredictorResult | null;
  readonly trade_features: TradeFeatureSummary | null;
  /** Plain-language caveats (e.g. the mid rarely moved). */
  readonly notes: readonly string[];
}

const LEAD_LAG_SIGNALS = ['obi', 'obi_ema', 'ofi'] as const;

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number.NaN;
}

export class SignalAnalysis {
  private readonly icSignals: readonly string[];
  private readonly window: SeriesWindow;
  private readonly leadLag: LeadLagProfile;
  private readonly horizons: HorizonMetrics[];
  private readonly gate: GateMetrics;
  private readonly predictor: PredictorMetrics | null;
  private readonly predictIndex: number;
  private readonly retColumns: string[];
  private readonly tfi = new RunningMoments();
  private readonly vpin = new RunningMoments();
  private readonly rowValues: Float64Array;
  private readonly signalValues: Float64Array;
  private readonly returns: Float64Array;

  constructor(private readonly o: AnalysisOptions) {
    this.icSignals = o.trades ? [...LEAD_LAG_SIGNALS, 'tfi'] : [...LEAD_LAG_SIGNALS];
    const nSignals = this.icSignals.length;
    const retColumn = nSignals;
    const horizonBase = nSignals + 1;
    this.window = new SeriesWindow(horizonBase + o.horizonsMs.length, o.rankWindowRows ?? RANK_WINDOW_ROWS);
    this.rowValues = new Float64Array(this.window.width);
    this.signalValues = new Float64Array(nSignals);
    this.returns = new Float64Array(o.horizonsMs.length);
    const leadLagColumns = LEAD_LAG_SIGNALS.map((_, i) => i);
    this.leadLag = new LeadLagProfile(LEAD_LAG_SIGNALS, o.leadLagMax, this.window, leadLagColumns, retColumn);
    const icColumns = this.icSignals.map((_, i) => i);
    this.retColumns = o.horizonsMs.map(horizonColumn);
    this.horizons = o.horizonsMs.map(
      (ms, j) =>
        new HorizonMetrics(ms, this.retColumns[j]!, this.icSignals, this.window, icColumns, horizonBase + j),
    );
    this.gate = new GateMetrics(o.horizonsMs);
    this.predictIndex = o.predictHorizonMs === null ? -1 : o.horizonsMs.indexOf(o.predictHorizonMs);
    this.predictor =
      this.predictIndex >= 0
        ? new PredictorMetrics(horizonName(o.predictHorizonMs!), this.retColumns[this.predictIndex]!)
        : null;
  }

  /** Feeds one finished row (rows of this symbol, in time order). */
  add(row: FeatureRow): void {
    const v = this.rowValues;
    const nSignals = this.icSignals.length;
    for (let s = 0; s < nSignals; s++) {
      const x = num(row[this.icSignals[s]!]);
      v[s] = x;
      this.signalValues[s] = x;
    }
    const midRet = row.mid_ret;
    v[nSignals] = midRet;
    for (let j = 0; j < this.retColumns.length; j++) {
      const r = num(row[this.retColumns[j]!]);
      v[nSignals + 1 + j] = r;
      this.returns[j] = r;
    }
    this.window.push(v);
    this.leadLag.update(this.signalValues, midRet);
    for (let j = 0; j < this.horizons.length; j++)
      this.horizons[j]!.update(this.signalValues, this.returns[j]!);
    const gate = row['gate'];
    if (typeof gate === 'number') this.gate.update(gate, num(row['gate_age']), row.time_ms, this.returns);
    if (this.predictor !== null) this.predictor.update(num(row['p_up']), this.returns[this.predictIndex]!);
    if (this.o.trades) {
      this.tfi.update(num(row['tfi']));
      this.vpin.update(num(row['vpin']));
    }
  }

  /** Returns the analysis so far (Spearman values are computed now: one sort per stored series, O(W) per lag). */
  result(): AnalysisResult {
    const sorted = new Map<number, RankedSeries>();
    const ranked = (c: number): RankedSeries => {
      let s = sorted.get(c);
      if (s === undefined) {
        s = new RankedSeries(this.window.series(c));
        sorted.set(c, s);
      }
      return s;
    };
    const horizons: Record<string, HorizonResult> = {};
    const notes: string[] = [];
    this.o.horizonsMs.forEach((ms, j) => {
      const h = this.horizons[j]!.result(ranked);
      horizons[horizonName(ms)] = h;
      if (h.mid_rarely_moves) {
        notes.push(
          `the mid did not move over ${horizonName(ms)} in ${(100 * h.zero_move_share).toFixed(0)}% of ` +
            `labelled rows (at least ${100 * RARELY_MOVES_ZERO_SHARE}%: a large-tick book); its IC and hit ` +
            'rate rest on the few rows that moved',
        );
      }
      if (h.labelled === 0 && h.unlabelled > 0) {
        notes.push(
          `no row has a ${horizonName(ms)} forward return (a horizon shorter than the sampling interval, ` +
            'a run shorter than the horizon, or gaps everywhere)',
        );
      }
    });
    if (this.o.trades && this.vpin.count === 0) {
      notes.push(
        'vpin had no value yet: it needs --vpin-buckets full volume buckets (and 50 bars to size them)',
      );
    }
    return {
      lead_lag: this.leadLag.result(ranked),
      horizons,
      gate: this.gate.result(),
      predictor: this.predictor?.result() ?? null,
      trade_features: this.o.trades
        ? {
            tfi_rows: this.tfi.count,
            tfi_mean: this.tfi.mean,
            vpin_rows: this.vpin.count,
            vpin_mean: this.vpin.mean,
            vpin_max: this.vpin.max,
          }
        : null,
      notes,
    };
  }
}
