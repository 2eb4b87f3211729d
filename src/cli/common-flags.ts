/** Flags shared by every command that computes rows, with the original script's names and defaults. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { horizonName } from '../core/labels/forward-returns.js';
import { GATE_INPUTS, type GateInput } from '../core/signal/toxicity-gate.js';
import { CLI_DEFAULT_HORIZONS_MS, resolveFeatureOptions, type FeatureOptions } from '../options.js';
import {
  parseIntInRange,
  parseIntList,
  parseIntervalSec,
  parseNonNegativeNumber,
  parsePositiveInt,
  parsePositiveNumber,
} from './flags.js';

/** Most rows of the rolling gate window (a typed array each): 11.6 days at 1 s. */
const MAX_GATE_WINDOW_ROWS = 1_000_000;
/** Most VPIN buckets averaged. */
const MAX_VPIN_BUCKETS = 100_000;

export const DEFAULT_CSV = 'level43_orderbook_imbalance.csv';
export const DEFAULT_JSON = 'level43_orderbook_imbalance_metrics.json';

export interface FeatureFlags {
  levels: number;
  interval?: number;
  ema: number;
  obiLevels: number[];
  decayAlpha: number;
  ofiLevels: number;
  extremeQuantile: number;
  horizons?: number[];
  labelPrice?: 'mid' | 'weighted_mid';
  leadLag?: number;
  gateInput?: GateInput;
  gateEntry?: number;
  gateExit?: number;
  gateEntryQuantile?: number;
  gateExitQuantile?: number;
  gateWindow?: number;
  gatePersist?: number;
  gatePersistSec?: number;
  gateVpinMin?: number;
  predictHorizon?: number;
  predictLr?: number;
  predictL2?: number;
  trades?: boolean;
  tfiWindow?: number;
  vpinBar?: number;
  vpinBucketVolume?: number;
  vpinBuckets?: number;
}

export interface OutputFlags {
  csv: string;
  json: string;
  /** Also write the rows as Parquet to this file. */
  parquet?: string;
  stdout?: string;
  /** Also write the self-contained HTML report here. */
  report?: string;
  /** Serve the live dashboard: `true` for 127.0.0.1:8787, or `PORT` / `HOST:PORT`. */
  dashboard?: string | boolean;
  force?: boolean;
  /** Continue the run that wrote the CSV (and recording): append, rebuild the JSON over the whole CSV. */
  resume?: boolean;
  quiet?: boolean;
}

export function addFeatureFlags(
  cmd: Command,
  intervalDefault: number | undefined,
  levelsDefault = 20,
): Command {
  cmd
    .option('--levels <n>', 'top L levels aggregated per side', parsePositiveInt, levelsDefault)
    .option('--ema <span>', 'EWMA span for obi_ema / obi_pw_ema', parsePositiveInt, 30)
    .option('--obi-levels <list>', 'also report OBI at these depths (obi_l<k>)', parseIntList, [1, 5, 10, 20])
    .option('--decay-alpha <a>', 'decay rate of obi_decay, weights e^(-a*i)', parseNonNegativeNumber, 0.5)
    .option(
      '--ofi-levels <m>',
      'levels of multi-level order-flow imbalance (ofi_l1..ofi_l<m>)',
      parsePositiveInt,
      5,
    )
    .option(
      '--extreme-quantile <q>',
      'obi_extreme_flag: |obi| above this quantile of the trailing window (causal)',
      parsePositiveNumber,
      0.9,
    );
  addAnalysisFlags(cmd);
  if (intervalDefault === undefined) {
    cmd.option('--interval <sec>', 'sampling interval in seconds (replay: resample to it)', parseIntervalSec);
  } else {
    cmd.option('--interval <sec>', 'sampling interval in seconds', parseIntervalSec, intervalDefault);
  }
  return cmd;
}

/** Parses a duration like `500ms`, `5s`, `1.5s`, `2m` into whole milliseconds. */
export function parseDurationMs(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(value);
  const ms = m === null ? Number.NaN : Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
  if (!Number.isSafeInteger(ms) || ms < 1) {
    throw new InvalidArgumentError(`expected a duration like 500ms, 5s or 2m, got "${value}"`);
  }
  return ms;
}

/** Parses `1s,5s,30s,60s` into milliseconds; `none` is the empty list. */
export function parseHorizonList(value: string): number[] {
  if (value.trim() === 'none') return [];
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) {
    throw new InvalidArgumentError(`expected horizons like 1s,5s,30s,60s (or none), got "${value}"`);
  }
  const list = parts.map(parseDurationMs);
  if (new Set(list).size !== list.length) {
    throw new InvalidArgumentError(`a horizon is listed twice in "${value}"`);
  }
  return list;
}

function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a whole number >= 0, got "${value}"`);
  }
  return n;
}

/** The flags of issue 6: horizons, lead/lag, toxicity gate, predictor, trade features. */
function addAnalysisFlags(cmd: Command): void {
  cmd
    .addOption(
      new Option('--horizons <list>', 'forward-return horizons (ret_fwd_<h> columns), or none')
        .argParser(parseHorizonList)
        .default([...CLI_DEFAULT_HORIZONS_MS], CLI_DEFAULT_HORIZONS_MS.map(horizonName).join(',')),
    )
    .addOption(
      new Option('--label-price <price>', 'price of the forward returns')
        .choices(['mid', 'weighted_mid'])
        .default('mid'),
    )
    .option('--lead-lag <K>', 'lead/lag profile over lags -K..K samples', parseNonNegativeInt, 10)
    .addOption(
      new Option('--gate-input <column>', 'what the toxicity gate reads')
        .choices(GATE_INPUTS)
        .default('obi_ema'),
    )
    .option(
      '--gate-entry <x>',
      'fixed gate entry threshold on |input| (with --gate-exit)',
      parseNonNegativeNumber,
    )
    .option(
      '--gate-exit <x>',
      'fixed gate exit threshold on |input| (< --gate-entry)',
      parseNonNegativeNumber,
    )
    .option(
      '--gate-entry-quantile <q>',
      'rolling gate entry threshold: this quantile of |input|',
      parseNonNegativeNumber,
      0.9,
    )
    .option(
      '--gate-exit-quantile <q>',
      'rolling gate exit threshold: this quantile of |input|',
      parseNonNegativeNumber,
      0.6,
    )
    .option(
      '--gate-window <rows>',
      'trailing window of the rolling gate thresholds',
      parseIntInRange(1, MAX_GATE_WINDOW_ROWS),
      300,
    )
    .option(
      '--gate-persist <n>',
      'rows beyond the entry threshold before the gate enters',
      parseIntInRange(1, MAX_GATE_WINDOW_ROWS),
      3,
    )
    .option('--gate-persist-sec <s>', 'seconds the entry condition must also hold', parseNonNegativeNumber, 0)
    .option(
      '--gate-vpin-min <v>',
      'with --trades: enter a gate state only while vpin >= v',
      parseNonNegativeNumber,
    )
    .option(
      '--predict-horizon <h>',
      'horizon the online predictor (p_up) learns; one of --horizons (default: the second listed)',
      parseDurationMs,
    )
    .option('--predict-lr <eta>', 'learning rate of the online predictor', parsePositiveNumber, 0.01)
    .option('--predict-l2 <lambda>', 'L2 penalty of the online predictor', parseNonNegativeNumber, 1e-4)
    .option('--trades', 'trade features tfi and vpin (collects the aggTrade stream where the source can)')
    .option('--tfi-window <sec>', 'window of the trade-flow imbalance tfi', parsePositiveNumber, 10)
    .option('--vpin-bar <sec>', 'VPIN bulk-classification bar length', parsePositiveNumber, 1)
    .option(
      '--vpin-bucket-volume <v>',
      'VPIN bucket volume (default: calibrated from the first bars)',
      parsePositiveNumber,
    )
    .option('--vpin-buckets <n>', 'VPIN buckets averaged', parseIntInRange(1, MAX_VPIN_BUCKETS), 50);
}

export function addOutputFlags(cmd: Command, defaults: { csv: string; json: string }): Command {
  return cmd
    .option('--csv <path>', 'output CSV path', defaults.csv)
    .option('--json <path>', 'output metrics JSON path', defaults.json)
    .option('--parquet <path>', 'also write the rows as Parquet (streamed in row groups)')
    .addOption(
      new Option('--stdout <format>', 'also stream every row to standard output').choices(['ndjson', 'csv']),
    )
    .option('--report <file.html>', 'also write the self-contained HTML report (charts; opens offline)')
    .option('--force', 'overwrite existing output files')
    .option('--quiet', 'print only errors');
}

/** `--dashboard [HOST:PORT]`: the live page, for commands that run live. */
export function addDashboardFlag(cmd: Command): Command {
  return cmd.option(
    '--dashboard [address]',
    'serve the live dashboard (default 127.0.0.1:8787; PORT or HOST:PORT)',
  );
}

/** Resolves the feature flags into validated options. `intervalSec` is the sampling interval in use. */
export function featureOptionsFrom(flags: FeatureFlags, intervalSec: number): FeatureOptions {
  return resolveFeatureOptions({
    levels: flags.levels,
    intervalSec,
    ema: flags.ema,
    obiLevels: flags.obiLevels,
    decayAlpha: flags.decayAlpha,
    ofiLevels: flags.ofiLevels,
    extremeQuantile: flags.extremeQuantile,
    horizonsMs: flags.horizons ?? [...CLI_DEFAULT_HORIZONS_MS],
    ...(flags.labelPrice !== undefined ? { labelPrice: flags.labelPrice } : {}),
    ...(flags.leadLag !== undefined ? { leadLagMax: flags.leadLag } : {}),
    ...(flags.gateInput !== undefined ? { gateInput: flags.gateInput } : {}),
    gateEntry: flags.gateEntry ?? null,
    gateExit: flags.gateExit ?? null,
    ...(flags.gateEntryQuantile !== undefined ? { gateEntryQuantile: flags.gateEntryQuantile } : {}),
    ...(flags.gateExitQuantile !== undefined ? { gateExitQuantile: flags.gateExitQuantile } : {}),
    ...(flags.gateWindow !== undefined ? { gateWindow: flags.gateWindow } : {}),
    ...(flags.gatePersist !== undefined ? { gatePersistSamples: flags.gatePersist } : {}),
    ...(flags.gatePersistSec !== undefined ? { gatePersistSec: flags.gatePersistSec } : {}),
    gateVpinMin: flags.gateVpinMin ?? null,
    predictHorizonMs: flags.predictHorizon ?? null,
    ...(flags.predictLr !== undefined ? { predictLearningRate: flags.predictLr } : {}),
    ...(flags.predictL2 !== undefined ? { predictL2: flags.predictL2 } : {}),
    trades: flags.trades === true,
    ...(flags.tfiWindow !== undefined ? { tfiWindowSec: flags.tfiWindow } : {}),
    ...(flags.vpinBar !== undefined ? { vpinBarSec: flags.vpinBar } : {}),
    vpinBucketVolume: flags.vpinBucketVolume ?? null,
    ...(flags.vpinBuckets !== undefined ? { vpinBuckets: flags.vpinBuckets } : {}),
  });
}

/** A recorded feature flag value: numbers, whole-number lists (`--obi-levels`, `--horizons` in ms), choices, switches. */
export type RecordedFlagValue = number | boolean | string | readonly number[];

/**
 * Returns the feature flags a run resolved, keyed by flag name without dashes (`levels`, `obi-levels`, …):
 * the recording header's `config.feature_flags` (docs/recording-format.md), from which `obi replay` takes
 * every flag its command line does not give. Durations are in ms; options left unset (null) are omitted.
 */
export function recordedFeatureFlags(o: FeatureOptions): Record<string, RecordedFlagValue> {
  const flags: Record<string, RecordedFlagValue> = {
    levels: o.levels,
    ema: o.ema,
    'obi-levels': [...o.obiLevels],
    'decay-alpha': o.decayAlpha,
    'ofi-levels': o.ofiLevels,
    'extreme-quantile': o.extremeQuantile,
    horizons: [...o.horizonsMs],
    'label-price': o.labelPrice,
    'lead-lag': o.leadLagMax,
    'gate-input': o.gateInput,
    'gate-entry-quantile': o.gateEntryQuantile,
    'gate-exit-quantile': o.gateExitQuantile,
    'gate-window': o.gateWindow,
    'gate-persist': o.gatePersistSamples,
    'gate-persist-sec': o.gatePersistSec,
    'predict-lr': o.predictLearningRate,
    'predict-l2': o.predictL2,
    trades: o.trades,
    'tfi-window': o.tfiWindowSec,
    'vpin-bar': o.vpinBarSec,
    'vpin-buckets': o.vpinBuckets,
  };
  if (o.gateEntry !== null) flags['gate-entry'] = o.gateEntry;
  if (o.gateExit !== null) flags['gate-exit'] = o.gateExit;
  if (o.gateVpinMin !== null) flags['gate-vpin-min'] = o.gateVpinMin;
  if (o.predictHorizonMs !== null) flags['predict-horizon'] = o.predictHorizonMs;
  if (o.vpinBucketVolume !== null) flags['vpin-bucket-volume'] = o.vpinBucketVolume;
  return flags;
}
