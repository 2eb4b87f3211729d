/** Flags shared by every command that computes rows, with the original script's names and defaults. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { horizonName } from '../core/labels/forward-returns.js';
import { ParseError } from '../errors.js';
import { GATE_INPUTS, type GateInput } from '../core/signal/toxicity-gate.js';
import {
  CLI_DEFAULT_HORIZONS_MS,
  FEATURE_INT_BOUNDS,
  resolveFeatureOptions,
  type FeatureOptions,
  type IntBound,
} from '../options.js';
import {
  parseIntInRange,
  parseIntList,
  parseIntervalSec,
  parseNonNegativeNumber,
  parsePath,
  parsePositiveInt,
  parsePositiveNumber,
} from './flags.js';

/** Returns the parser of a whole-number feature flag, with the library's bounds (FEATURE_INT_BOUNDS). */
function boundedInt(key: keyof typeof FEATURE_INT_BOUNDS): (value: string) => number {
  const { min, max }: IntBound = FEATURE_INT_BOUNDS[key];
  return parseIntInRange(min, max);
}

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
      boundedInt('gateWindow'),
      300,
    )
    .option(
      '--gate-persist <n>',
      'rows beyond the entry threshold before the gate enters',
      boundedInt('gatePersistSamples'),
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
    .option('--vpin-buckets <n>', 'VPIN buckets averaged', boundedInt('vpinBuckets'), 50);
}

export function addOutputFlags(cmd: Command, defaults: { csv: string; json: string }): Command {
  return cmd
    .option('--csv <path>', 'output CSV path', parsePath, defaults.csv)
    .option('--json <path>', 'output metrics JSON path', parsePath, defaults.json)
    .option('--parquet <path>', 'also write the rows as Parquet (streamed in row groups)', parsePath)
    .addOption(
      new Option('--stdout <format>', 'also stream every row to standard output').choices(['ndjson', 'csv']),
    )
    .option(
      '--report <file.html>',
      'also write the self-contained HTML report (charts; opens offline)',
      parsePath,
    )
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

/** The feature flags a recording can carry: every FeatureFlags key but the interval (the header's own). */
export type RecordedFlagKey = Exclude<keyof FeatureFlags, 'interval'>;

type RecordedFlagKind = 'number' | 'numbers' | 'boolean' | readonly string[];

/** The JSON type of each recorded flag's value (its name in the header is the flag: `obiLevels` → `obi-levels`). */
const RECORDED_FLAG_KINDS: { readonly [K in RecordedFlagKey]-?: RecordedFlagKind } = {
  levels: 'number',
  ema: 'number',
  obiLevels: 'numbers',
  decayAlpha: 'number',
  ofiLevels: 'number',
  extremeQuantile: 'number',
  horizons: 'numbers',
  labelPrice: ['mid', 'weighted_mid'],
  leadLag: 'number',
  gateInput: GATE_INPUTS,
  gateEntry: 'number',
  gateExit: 'number',
  gateEntryQuantile: 'number',
  gateExitQuantile: 'number',
  gateWindow: 'number',
  gatePersist: 'number',
  gatePersistSec: 'number',
  gateVpinMin: 'number',
  predictHorizon: 'number',
  predictLr: 'number',
  predictL2: 'number',
  trades: 'boolean',
  tfiWindow: 'number',
  vpinBar: 'number',
  vpinBucketVolume: 'number',
  vpinBuckets: 'number',
};

/** Every recorded feature flag, in the order `--help` lists them. */
export const RECORDED_FLAG_KEYS = Object.keys(RECORDED_FLAG_KINDS) as readonly RecordedFlagKey[];

/** Returns the flag name of a FeatureFlags key without dashes: `obiLevels` → `obi-levels`. */
export function flagName(key: RecordedFlagKey): string {
  return key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** Header `config` keys of recordings made before `feature_flags` existed, and the flags they hold. */
const LEGACY_CONFIG_KEYS: readonly (readonly [string, RecordedFlagKey])[] = [
  ['levels', 'levels'],
  ['ema', 'ema'],
  ['obi_levels', 'obiLevels'],
  ['decay_alpha', 'decayAlpha'],
  ['ofi_levels', 'ofiLevels'],
  ['extreme_quantile', 'extremeQuantile'],
];

/** The feature flags read back from a recording header's `config`. */
export interface FlagsFromRecording {
  readonly flags: Partial<FeatureFlags>;
  /** True when the header has no `feature_flags` (an older obi): only the legacy config keys were read. */
  readonly legacy: boolean;
}

function isRecordedValue(value: unknown, kind: RecordedFlagKind): boolean {
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (kind === 'numbers') {
    return Array.isArray(value) && value.every((x) => typeof x === 'number' && Number.isFinite(x));
  }
  if (kind === 'boolean') return typeof value === 'boolean';
  return typeof value === 'string' && kind.includes(value);
}

/**
 * Returns the feature flags recorded in a header `config`: its `feature_flags` (written by
 * {@link recordedFeatureFlags}), or for an older recording its `levels`, `ema`, `obi_levels`, `decay_alpha`,
 * `ofi_levels` and `extreme_quantile`. Unknown flags are ignored (a newer writer may add some); ranges are
 * checked later by resolveFeatureOptions. Throws ParseError (naming `source`) for a value of the wrong type.
 */
export function featureFlagsFromRecording(
  config: Readonly<Record<string, unknown>> | null,
  source: string,
): FlagsFromRecording {
  if (config === null) return { flags: {}, legacy: false };
  const recorded = config['feature_flags'];
  const legacy = recorded === undefined;
  if (!legacy && (typeof recorded !== 'object' || recorded === null || Array.isArray(recorded))) {
    throw new ParseError(`${source}: the header's config.feature_flags is not a JSON object`, source);
  }
  const entries: (readonly [string, RecordedFlagKey, unknown])[] = legacy
    ? LEGACY_CONFIG_KEYS.map(([name, key]) => [`config.${name}`, key, config[name]] as const)
    : RECORDED_FLAG_KEYS.map((key) => {
        const name = flagName(key);
        return [`config.feature_flags["${name}"]`, key, (recorded as Record<string, unknown>)[name]] as const;
      });
  const flags: Partial<Record<RecordedFlagKey, unknown>> = {};
  for (const [where, key, value] of entries) {
    if (value === undefined || (legacy && value === null)) continue;
    const kind = RECORDED_FLAG_KINDS[key];
    if (!isRecordedValue(value, kind)) {
      throw new ParseError(
        `${source}: the header's ${where} is ${JSON.stringify(value)}, not ${describeKind(kind)}`,
        source,
      );
    }
    flags[key] = Array.isArray(value) ? [...(value as number[])] : value;
  }
  // Each value was checked against its key's kind above.
  return { flags: flags as Partial<FeatureFlags>, legacy };
}

function describeKind(kind: RecordedFlagKind): string {
  if (kind === 'number') return 'a number';
  if (kind === 'numbers') return 'a list of numbers';
  if (kind === 'boolean') return 'true or false';
  return `one of ${kind.join(', ')}`;
}
