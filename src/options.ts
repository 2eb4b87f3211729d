/**
 * Options are data: one typed object, resolved and validated once at the edge (the CLI or a library caller),
 * then passed down. Names and defaults of the original script's flags are kept (SEED.md `Config`).
 */
import { ConfigError } from './errors.js';
import {
  GATE_INPUTS,
  ToxicityGate,
  type GateInput,
  type ToxicityGateOptions,
} from './core/signal/toxicity-gate.js';
import { OnlineLogit } from './core/signal/online-logit.js';
import { TradeFlowImbalance } from './core/features/trade-flow.js';
import { Vpin } from './core/features/vpin.js';
import { horizonName } from './core/labels/forward-returns.js';
import type { AnalysisOptions } from './core/metrics/signal-analysis.js';

/** What the feature pipeline needs to know. */
export interface FeatureOptions {
  /**
   * Top levels aggregated per side for `obi`, `obi_pw`, `bid_vol_L`, `ask_vol_L`.
   * @default 20
   */
  readonly levels: number;
  /**
   * Sampling interval in seconds; sets the rolling window of `obi_z` as the seed does: max(60, 60/interval).
   * @default 1.0
   */
  readonly intervalSec: number;
  /**
   * EWMA span for `obi_ema` and `obi_pw_ema` (pandas `ewm(span, adjust=False, min_periods=5)`).
   * @default 30
   */
  readonly ema: number;
  /**
   * Depths at which OBI is also reported as `obi_l<k>`.
   * @default [1, 5, 10, 20]
   */
  readonly obiLevels: readonly number[];
  /**
   * Decay rate α of the distance-decayed OBI, weights e^(−α·i) with i = 0 at the touch.
   * @default 0.5
   */
  readonly decayAlpha: number;
  /**
   * Levels of multi-level order-flow imbalance (Xu, Gould & Howison 2019) reported as `ofi_l<m>`.
   * @default 5
   */
  readonly ofiLevels: number;
  /**
   * Quantile of |obi| over the trailing window above which `obi_extreme_flag` is 1 (causal).
   * @default 0.9
   */
  readonly extremeQuantile: number;
  /**
   * Forward-return horizons in milliseconds, one label column `ret_fwd_<h>` each (docs/metrics.md, "Forward
   * returns"). Rows leave the pipeline once their longest horizon is known. The library default is none, so
   * rows leave one sample late; the CLI's `--horizons` defaults to 1s,5s,30s,60s.
   * @default []
   */
  readonly horizonsMs: readonly number[];
  /**
   * Price of the forward returns: the mid, or the size-weighted mid of the touch (`weighted_mid`).
   * @default 'mid'
   */
  readonly labelPrice: 'mid' | 'weighted_mid';
  /**
   * How far from t + h the target sample of a forward return may lie, in ms (capped at h/2 per horizon);
   * null = half the sampling interval.
   * @default null
   */
  readonly horizonToleranceMs: number | null;
  /**
   * Most rows held back per symbol while their labels are unknown; past it the oldest leaves with missing labels.
   * @default 1000000
   */
  readonly maxHeldRows: number;
  /**
   * K of the lead/lag profile: correlations at lags −K..K sample intervals.
   * @default 10
   */
  readonly leadLagMax: number;
  /**
   * Column the toxicity gate reads (`gate`, `gate_age`).
   * @default 'obi_ema'
   */
  readonly gateInput: GateInput;
  /**
   * Fixed entry threshold on |input|; null = rolling quantile thresholds. Needs `gateExit`.
   * @default null
   */
  readonly gateEntry: number | null;
  /**
   * Fixed exit threshold on |input| (< gateEntry). Needs `gateEntry`.
   * @default null
   */
  readonly gateExit: number | null;
  /**
   * Rolling thresholds: quantile of |input| over the trailing window that enters a state.
   * @default 0.9
   */
  readonly gateEntryQuantile: number;
  /**
   * Rolling thresholds: quantile of |input| below which a state is left (< gateEntryQuantile).
   * @default 0.6
   */
  readonly gateExitQuantile: number;
  /**
   * Rolling thresholds: trailing window in valid rows.
   * @default 300
   */
  readonly gateWindow: number;
  /**
   * Consecutive rows beyond the entry threshold needed to enter a state.
   * @default 3
   */
  readonly gatePersistSamples: number;
  /**
   * Seconds the entry condition must also have held to enter a state.
   * @default 0
   */
  readonly gatePersistSec: number;
  /**
   * With trades: a state may only be entered while vpin >= this; null = no VPIN condition.
   * @default null
   */
  readonly gateVpinMin: number | null;
  /**
   * Horizon (ms, one of `horizonsMs`) whose sign the online predictor (`p_up`) learns; null = the second
   * horizon listed (5 s with the CLI defaults), or the only one. No horizons: no predictor.
   * @default null
   */
  readonly predictHorizonMs: number | null;
  /**
   * SGD learning rate of the online predictor (standardised inputs).
   * @default 0.01
   */
  readonly predictLearningRate: number;
  /**
   * L2 penalty of the online predictor.
   * @default 0.0001
   */
  readonly predictL2: number;
  /**
   * Trade features: the input carries `Trade` events, and the rows get `tfi` and `vpin`.
   * @default false
   */
  readonly trades: boolean;
  /**
   * Trailing window of the trade-flow imbalance `tfi`, in seconds.
   * @default 10
   */
  readonly tfiWindowSec: number;
  /**
   * VPIN: length of the bulk-volume-classification time bars, in seconds.
   * @default 1
   */
  readonly vpinBarSec: number;
  /**
   * VPIN: volume per bucket (base asset); null = calibrated from the first 50 non-empty bars.
   * @default null
   */
  readonly vpinBucketVolume: number | null;
  /**
   * VPIN: number of buckets averaged (Easley, López de Prado & O'Hara 2012 use 50).
   * @default 50
   */
  readonly vpinBuckets: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  levels: 20,
  intervalSec: 1.0,
  ema: 30,
  obiLevels: [1, 5, 10, 20],
  decayAlpha: 0.5,
  ofiLevels: 5,
  extremeQuantile: 0.9,
  horizonsMs: [],
  labelPrice: 'mid',
  horizonToleranceMs: null,
  maxHeldRows: 1_000_000,
  leadLagMax: 10,
  gateInput: 'obi_ema',
  gateEntry: null,
  gateExit: null,
  gateEntryQuantile: 0.9,
  gateExitQuantile: 0.6,
  gateWindow: 300,
  gatePersistSamples: 3,
  gatePersistSec: 0,
  gateVpinMin: null,
  predictHorizonMs: null,
  predictLearningRate: 0.01,
  predictL2: 1e-4,
  trades: false,
  tfiWindowSec: 10,
  vpinBarSec: 1,
  vpinBucketVolume: null,
  vpinBuckets: 50,
};

/** The horizons the CLI's `--horizons` asks for unless told otherwise: 1s,5s,30s,60s. */
export const CLI_DEFAULT_HORIZONS_MS: readonly number[] = [1000, 5000, 30_000, 60_000];

/** Returns the tolerance of the forward-return targets in ms (before the per-horizon h/2 cap). */
export function horizonToleranceMs(o: FeatureOptions): number {
  return o.horizonToleranceMs ?? (o.intervalSec * 1000) / 2;
}

/** Returns the predictor's horizon in ms, or null when there are no horizons. */
export function predictHorizonMs(o: FeatureOptions): number | null {
  return o.predictHorizonMs ?? o.horizonsMs[1] ?? o.horizonsMs[0] ?? null;
}

/** Returns the toxicity gate's options. */
export function gateOptions(o: FeatureOptions): ToxicityGateOptions {
  return {
    input: o.gateInput,
    entry: o.gateEntry,
    exit: o.gateExit,
    entryQuantile: o.gateEntryQuantile,
    exitQuantile: o.gateExitQuantile,
    window: o.gateWindow,
    persistSamples: o.gatePersistSamples,
    persistSec: o.gatePersistSec,
    vpinMin: o.gateVpinMin,
  };
}

/** Returns what the per-symbol analysis metrics need. */
export function analysisOptions(o: FeatureOptions): AnalysisOptions {
  return {
    horizonsMs: o.horizonsMs,
    predictHorizonMs: predictHorizonMs(o),
    leadLagMax: o.leadLagMax,
    trades: o.trades,
  };
}

/** Returns the analysis settings as `config` keys of the metrics JSON (docs/metrics.md). */
export function analysisConfig(o: FeatureOptions): Record<string, unknown> {
  const predict = predictHorizonMs(o);
  return {
    horizons: o.horizonsMs.map(horizonName),
    label_price: o.labelPrice,
    horizon_tolerance_ms: horizonToleranceMs(o),
    lead_lag_max: o.leadLagMax,
    gate_input: o.gateInput,
    gate_thresholds: o.gateEntry === null ? 'rolling_quantile' : 'fixed',
    gate_entry: o.gateEntry,
    gate_exit: o.gateExit,
    gate_entry_quantile: o.gateEntryQuantile,
    gate_exit_quantile: o.gateExitQuantile,
    gate_window: o.gateWindow,
    gate_persist_samples: o.gatePersistSamples,
    gate_persist_sec: o.gatePersistSec,
    gate_vpin_min: o.gateVpinMin,
    predict_horizon: predict === null ? null : horizonName(predict),
    predict_inputs: [...PREDICTOR_INPUTS],
    predict_learning_rate: o.predictLearningRate,
    predict_l2: o.predictL2,
    trades: o.trades,
    tfi_window_sec: o.tfiWindowSec,
    vpin_bar_sec: o.vpinBarSec,
    vpin_bucket_volume: o.vpinBucketVolume,
    vpin_buckets: o.vpinBuckets,
  };
}

/** The online predictor's inputs, in order (row columns). */
export const PREDICTOR_INPUTS = ['obi', 'obi_ema', 'obi_z', 'ofi', 'spread_bps'] as const;

/** Rolling window (rows) of `obi_z` and of the causal extreme threshold, as the seed computes it. */
export function rollingWindowRows(intervalSec: number): number {
  // SEED.md add_features: roll = max(60, int(60/cfg.interval))
  return Math.max(60, Math.trunc(60 / intervalSec));
}

/** The most levels any feature reads; the book view must hold this many. */
export function viewDepth(o: FeatureOptions): number {
  return Math.max(o.levels, o.ofiLevels, ...o.obiLevels, 1);
}

/** The range of a whole-number option, and the CLI flag that sets it. */
export interface IntBound {
  /** The flag without dashes (`gate-window`); also the `option` of the ConfigError. */
  readonly flag: string;
  readonly min: number;
  readonly max: number;
}

/**
 * Ranges of the whole-number feature options, checked by resolveFeatureOptions and by the CLI's flag
 * parsers alike. The upper bounds keep a typo from allocating gigabytes (the gate window and the VPIN
 * buckets are typed arrays of that length) or from holding rows forever.
 */
export const FEATURE_INT_BOUNDS = {
  levels: { flag: 'levels', min: 1, max: 5000 },
  ema: { flag: 'ema', min: 1, max: 1_000_000 },
  obiLevels: { flag: 'obi-levels', min: 1, max: 5000 },
  ofiLevels: { flag: 'ofi-levels', min: 1, max: 100 },
  maxHeldRows: { flag: 'max-held-rows', min: 2, max: 100_000_000 },
  leadLagMax: { flag: 'lead-lag', min: 0, max: 1000 },
  /** Rows of the rolling gate window: 11.6 days at 1 s. */
  gateWindow: { flag: 'gate-window', min: 1, max: 1_000_000 },
  gatePersistSamples: { flag: 'gate-persist', min: 1, max: 1_000_000 },
  vpinBuckets: { flag: 'vpin-buckets', min: 1, max: 100_000 },
} as const satisfies Partial<Record<keyof FeatureOptions, IntBound>>;

/** The shortest sampling interval, in seconds: 1 ms (rolling windows hold 60 s of rows, 60 000 at 1 ms). */
export const MIN_INTERVAL_SEC = 0.001;

/** Resolves partial feature options over the defaults and validates them. Throws ConfigError. */
export function resolveFeatureOptions(partial: Partial<FeatureOptions> = {}): FeatureOptions {
  const o: FeatureOptions = { ...DEFAULT_FEATURE_OPTIONS, ...stripUndefined(partial) };
  requireInt(o.levels, 'levels');
  if (!(o.intervalSec >= MIN_INTERVAL_SEC) || !Number.isFinite(o.intervalSec)) {
    throw new ConfigError(
      `--interval (intervalSec) must be a number of seconds >= ${MIN_INTERVAL_SEC} (got ${o.intervalSec})`,
      'interval',
    );
  }
  requireInt(o.ema, 'ema');
  if (o.obiLevels.length === 0) throw new ConfigError('--obi-levels needs at least one depth', 'obi-levels');
  for (const k of o.obiLevels) requireInt(k, 'obiLevels');
  if (!(o.decayAlpha >= 0) || !Number.isFinite(o.decayAlpha)) {
    throw new ConfigError(`--decay-alpha must be >= 0 (got ${o.decayAlpha})`, 'decay-alpha');
  }
  requireInt(o.ofiLevels, 'ofiLevels');
  if (!(o.extremeQuantile > 0 && o.extremeQuantile < 1)) {
    throw new ConfigError(
      `--extreme-quantile must be in (0, 1) (got ${o.extremeQuantile})`,
      'extreme-quantile',
    );
  }
  resolveAnalysis(o);
  return o;
}

/** Validates the label, gate, predictor and trade options (each class checks its own). Throws ConfigError. */
function resolveAnalysis(o: FeatureOptions): void {
  const seen = new Set<number>();
  for (const h of o.horizonsMs) {
    if (!Number.isSafeInteger(h) || h < 1) {
      throw new ConfigError(`--horizons: ${h} ms is not a whole number of milliseconds >= 1`, 'horizons');
    }
    if (seen.has(h)) throw new ConfigError(`--horizons lists ${horizonName(h)} twice`, 'horizons');
    seen.add(h);
  }
  if (o.labelPrice !== 'mid' && o.labelPrice !== 'weighted_mid') {
    throw new ConfigError(
      `--label-price must be mid or weighted_mid (got ${String(o.labelPrice)})`,
      'label-price',
    );
  }
  if (
    o.horizonToleranceMs !== null &&
    !(o.horizonToleranceMs >= 0 && Number.isFinite(o.horizonToleranceMs))
  ) {
    throw new ConfigError(
      `horizon tolerance must be >= 0 ms (got ${o.horizonToleranceMs})`,
      'horizon-tolerance',
    );
  }
  requireInt(o.maxHeldRows, 'maxHeldRows');
  requireInt(o.leadLagMax, 'leadLagMax');
  requireInt(o.gateWindow, 'gateWindow');
  requireInt(o.gatePersistSamples, 'gatePersistSamples');
  requireInt(o.vpinBuckets, 'vpinBuckets');
  if (!GATE_INPUTS.includes(o.gateInput)) {
    throw new ConfigError(
      `--gate-input must be one of ${GATE_INPUTS.join(', ')} (got ${o.gateInput})`,
      'gate-input',
    );
  }
  if (!o.trades && o.gateInput === 'tfi') {
    throw new ConfigError('--gate-input tfi needs trades (--trades)', 'gate-input');
  }
  if (!o.trades && o.gateVpinMin !== null) {
    throw new ConfigError('--gate-vpin-min needs trades (--trades)', 'gate-vpin-min');
  }
  new ToxicityGate(gateOptions(o));
  if (o.predictHorizonMs !== null && !o.horizonsMs.includes(o.predictHorizonMs)) {
    throw new ConfigError(
      `--predict-horizon ${horizonName(o.predictHorizonMs)} must be one of --horizons ` +
        `(${o.horizonsMs.map(horizonName).join(',') || 'none'})`,
      'predict-horizon',
    );
  }
  new OnlineLogit({ inputs: PREDICTOR_INPUTS.length, learningRate: o.predictLearningRate, l2: o.predictL2 });
  new TradeFlowImbalance(o.tfiWindowSec);
  new Vpin({ barSec: o.vpinBarSec, bucketVolume: o.vpinBucketVolume, buckets: o.vpinBuckets });
}

/** Throws a ConfigError naming the flag and the option unless `v` is a whole number within its bounds. */
function requireInt(v: number, key: keyof typeof FEATURE_INT_BOUNDS): void {
  const { flag, min, max }: IntBound = FEATURE_INT_BOUNDS[key];
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`--${flag} (${key}) must be a whole number from ${min} to ${max} (got ${v})`, flag);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
