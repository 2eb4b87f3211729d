/**
 * Whole-run metrics of one symbol, accumulated row by row in bounded memory (quantiles are exact up to
 * 2^16 values, then from a sketch: `quantiles_exact` says which). The first ten keys are the original
 * script's `summarize()` keys with its meaning (SEED.md); the rest are obi's, the analysis keys
 * (`lead_lag`, `horizons`, `gate`, `predictor`, `trade_features`, `notes`) last, when analysis options are
 * given (docs/metrics.md).
 */
import { OnlineCorrelation } from '../stats/online-correlation.js';
import { RunQuantiles, type QuantileSummary } from '../stats/run-quantiles.js';
import type { FeatureRow } from '../row/feature-row.js';
import { SignalAnalysis, type AnalysisOptions, type AnalysisResult } from './signal-analysis.js';

/** Constant facts of the run that the seed copies into its metrics. */
export interface RunFacts {
  readonly emaSpan: number;
  readonly levels: number;
  readonly intervalSec: number;
  /** The configured duration (collect), or null to report the data's own span (replay). */
  readonly durationMin: number | null;
}

export interface RunMetrics {
  readonly samples: number;
  readonly obi_mean: number;
  readonly obi_p90_abs: number;
  readonly obi_pw_mean: number;
  readonly ema_span: number;
  readonly levels: number;
  readonly interval_sec: number;
  readonly duration_min: number;
  readonly corr_obi_midret: number;
  readonly corr_obi_lead_midret: number;
  readonly symbol: string;
  readonly first_timestamp: string | null;
  readonly last_timestamp: string | null;
  readonly valid_samples: number;
  readonly missing_samples: number;
  readonly invalid_samples: number;
  readonly unsynced_samples: number;
  readonly crossed_samples: number;
  readonly quantiles_exact: boolean;
  readonly obi_quantiles: QuantileSummary;
  readonly obi_pw_quantiles: QuantileSummary;
  readonly spread_bps_quantiles: QuantileSummary;
  readonly obi_extreme_share: number;
  readonly latency_ms_quantiles: QuantileSummary;
  readonly lead_lag?: AnalysisResult['lead_lag'];
  readonly horizons?: AnalysisResult['horizons'];
  readonly gate?: AnalysisResult['gate'];
  readonly predictor?: AnalysisResult['predictor'];
  readonly trade_features?: AnalysisResult['trade_features'];
  readonly notes?: AnalysisResult['notes'];
}

export class RunSummary {
  private samples = 0;
  private readonly obi = new RunQuantiles();
  private readonly absObi = new RunQuantiles();
  private readonly obiPw = new RunQuantiles();
  private readonly spreadBps = new RunQuantiles();
  private readonly latency = new RunQuantiles();
  private readonly corrNow = new OnlineCorrelation();
  private readonly corrLead = new OnlineCorrelation();
  private readonly statusCounts = new Map<string, number>();
  private crossed = 0;
  private extreme = 0;
  private firstTs: string | null = null;
  private lastTs: string | null = null;
  private firstMs = Number.NaN;
  private lastMs = Number.NaN;
  private readonly analysis: SignalAnalysis | null;

  /** Without `analysis` options only the seed's and obi's base keys are computed. */
  constructor(
    readonly symbol: string,
    private readonly facts: RunFacts,
    analysis?: AnalysisOptions,
  ) {
    this.analysis = analysis === undefined ? null : new SignalAnalysis(analysis);
  }

  /** Feeds one finished (labelled) row. */
  add(row: FeatureRow): void {
    this.samples++;
    if (this.firstTs === null) {
      this.firstTs = row.timestamp;
      this.firstMs = row.time_ms;
    }
    this.lastTs = row.timestamp;
    this.lastMs = row.time_ms;
    this.obi.update(row.obi);
    this.absObi.update(Math.abs(row.obi));
    this.obiPw.update(row.obi_pw);
    this.spreadBps.update(row['spread_bps'] as number);
    const latency = row['latency_ms'];
    if (typeof latency === 'number') this.latency.update(latency);
    this.corrNow.update(row.obi, row.mid_ret);
    this.corrLead.update(row.obi, row.mid_ret_fwd);
    this.statusCounts.set(row.status, (this.statusCounts.get(row.status) ?? 0) + 1);
    if (row['crossed'] === 1) this.crossed++;
    if (row.obi_extreme_flag === 1) this.extreme++;
    this.analysis?.add(row);
  }

  /** Returns the metrics so far. */
  result(): RunMetrics {
    const f = this.facts;
    const count = (s: string): number => this.statusCounts.get(s) ?? 0;
    const span = (this.lastMs - this.firstMs) / 60_000;
    return {
      samples: this.samples,
      obi_mean: this.obi.mean,
      obi_p90_abs: this.absObi.quantile(0.9),
      obi_pw_mean: this.obiPw.mean,
      ema_span: f.emaSpan,
      levels: f.levels,
      interval_sec: f.intervalSec,
      duration_min: f.durationMin ?? (Number.isFinite(span) ? span : 0),
      corr_obi_midret: this.corrNow.correlation,
      corr_obi_lead_midret: this.corrLead.correlation,
      symbol: this.symbol,
      first_timestamp: this.firstTs,
      last_timestamp: this.lastTs,
      valid_samples: count('ok'),
      missing_samples: count('missing'),
      invalid_samples: count('invalid'),
      unsynced_samples: count('unsynced'),
      crossed_samples: this.crossed,
      quantiles_exact: this.obi.exact && this.obiPw.exact && this.spreadBps.exact && this.absObi.exact,
      obi_quantiles: this.obi.summary(),
      obi_pw_quantiles: this.obiPw.summary(),
      spread_bps_quantiles: this.spreadBps.summary(),
      obi_extreme_share: this.samples > 0 ? this.extreme / this.samples : Number.NaN,
      latency_ms_quantiles: this.latency.summary(),
      ...(this.analysis?.result() ?? {}),
    };
  }
}
