/** Flags shared by every command that computes rows, with the original script's names and defaults. */
import { Option, type Command } from 'commander';
import { resolveFeatureOptions, type FeatureOptions } from '../options.js';
import { parseIntList, parseNonNegativeNumber, parsePositiveInt, parsePositiveNumber } from './flags.js';

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
}

export interface OutputFlags {
  csv: string;
  json: string;
  stdout?: string;
  force?: boolean;
  quiet?: boolean;
}

export function addFeatureFlags(cmd: Command, intervalDefault: number | undefined): Command {
  cmd
    .option('--levels <n>', 'top L levels aggregated per side', parsePositiveInt, 20)
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
  if (intervalDefault === undefined) {
    cmd.option(
      '--interval <sec>',
      'sampling interval in seconds (replay: resample to it)',
      parsePositiveNumber,
    );
  } else {
    cmd.option('--interval <sec>', 'sampling interval in seconds', parsePositiveNumber, intervalDefault);
  }
  return cmd;
}

export function addOutputFlags(cmd: Command, defaults: { csv: string; json: string }): Command {
  return cmd
    .option('--csv <path>', 'output CSV path', defaults.csv)
    .option('--json <path>', 'output metrics JSON path', defaults.json)
    .addOption(
      new Option('--stdout <format>', 'also stream every row to standard output').choices(['ndjson', 'csv']),
    )
    .option('--force', 'overwrite existing output files')
    .option('--quiet', 'print only errors');
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
  });
}
