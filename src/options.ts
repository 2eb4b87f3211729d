/**
 * Options are data: one typed object, resolved and validated once at the edge (the CLI or a library caller),
 * then passed down. Names and defaults of the original script's flags are kept (SEED.md `Config`).
 */
import { ConfigError } from './errors.js';

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
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  levels: 20,
  intervalSec: 1.0,
  ema: 30,
  obiLevels: [1, 5, 10, 20],
  decayAlpha: 0.5,
  ofiLevels: 5,
  extremeQuantile: 0.9,
};

/** Rolling window (rows) of `obi_z` and of the causal extreme threshold, as the seed computes it. */
export function rollingWindowRows(intervalSec: number): number {
  // SEED.md add_features: roll = max(60, int(60/cfg.interval))
  return Math.max(60, Math.trunc(60 / intervalSec));
}

/** The most levels any feature reads; the book view must hold this many. */
export function viewDepth(o: FeatureOptions): number {
  return Math.max(o.levels, o.ofiLevels, ...o.obiLevels, 1);
}

/** Resolves partial feature options over the defaults and validates them. Throws ConfigError. */
export function resolveFeatureOptions(partial: Partial<FeatureOptions> = {}): FeatureOptions {
  const o: FeatureOptions = { ...DEFAULT_FEATURE_OPTIONS, ...stripUndefined(partial) };
  requireInt(o.levels, 'levels', 1, 5000);
  if (!(o.intervalSec > 0) || !Number.isFinite(o.intervalSec)) {
    throw new ConfigError(`--interval must be a number of seconds > 0 (got ${o.intervalSec})`, 'interval');
  }
  requireInt(o.ema, 'ema', 1, 1_000_000);
  if (o.obiLevels.length === 0) throw new ConfigError('--obi-levels needs at least one depth', 'obi-levels');
  for (const k of o.obiLevels) requireInt(k, 'obi-levels', 1, 5000);
  if (!(o.decayAlpha >= 0) || !Number.isFinite(o.decayAlpha)) {
    throw new ConfigError(`--decay-alpha must be >= 0 (got ${o.decayAlpha})`, 'decay-alpha');
  }
  requireInt(o.ofiLevels, 'ofi-levels', 1, 100);
  if (!(o.extremeQuantile > 0 && o.extremeQuantile < 1)) {
    throw new ConfigError(
      `--extreme-quantile must be in (0, 1) (got ${o.extremeQuantile})`,
      'extreme-quantile',
    );
  }
  return o;
}

function requireInt(v: number, name: string, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`--${name} must be a whole number from ${min} to ${max} (got ${v})`, name);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
