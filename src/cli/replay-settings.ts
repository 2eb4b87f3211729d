/**
 * The settings one run of `obi replay` uses: a flag given on the command line wins; otherwise the value the
 * live run recorded in its header (`config.feature_flags`, `config.interval`, `config.sample`); otherwise the
 * command's default. So a replay without flags reproduces the live run byte for byte (docs/recording-format.md).
 */
import { horizonName } from '../core/labels/forward-returns.js';
import { ConfigError } from '../errors.js';
import type { SampleMode } from '../pipeline/diff-sampler.js';
import type { FeatureOptions } from '../options.js';
import {
  featureFlagsFromRecording,
  featureOptionsFrom,
  flagName,
  RECORDED_FLAG_KEYS,
  type FeatureFlags,
  type RecordedFlagKey,
} from './common-flags.js';
import type { ReplayRun } from './replay-source.js';

/** The replay command line: its flag values, and which of them the user typed. */
export interface ReplayCommandLine {
  readonly flags: FeatureFlags & { readonly sample?: SampleMode };
  /** Returns true when the flag with this FeatureFlags key (`obiLevels`, `interval`, `sample`) was typed. */
  readonly given: (key: string) => boolean;
}

/** What one run is replayed with, and where the settings came from. */
export interface ReplaySettings {
  readonly features: FeatureOptions;
  readonly intervalSec: number;
  /** Diff sources: a row per tick or per diff event. */
  readonly sample: SampleMode;
  /** Recorded settings this replay applies that differ from the command's defaults, as `--flag value`. */
  readonly fromRecording: readonly string[];
  /** Flags typed on the command line that differ from the recorded value, as `--flag`. */
  readonly overridden: readonly string[];
  /** The header has no `feature_flags` (an older obi): the flags it did not record are at their defaults. */
  readonly legacy: boolean;
  /** The run has a header `config` at all (false for tardis CSVs and headerless recordings). */
  readonly recorded: boolean;
}

/** Returns `value` as the user would type it after `--<flag>`, or null for a switch that is off. */
function formatFlag(key: RecordedFlagKey | 'interval' | 'sample', value: unknown): string | null {
  const flag = `--${key === 'interval' || key === 'sample' ? key : flagName(key)}`;
  if (typeof value === 'boolean') return value ? flag : null;
  if (key === 'horizons' && Array.isArray(value)) {
    return `${flag} ${value.length === 0 ? 'none' : (value as number[]).map(horizonName).join(',')}`;
  }
  if (key === 'predictHorizon' && typeof value === 'number') return `${flag} ${horizonName(value)}`;
  return `${flag} ${Array.isArray(value) ? value.join(',') : String(value)}`;
}

/** Returns true when two flag values mean the same (an unset switch is off). */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null) || (a ?? false) === (b ?? false);
}

/**
 * Returns the settings of one replayed run. Throws ParseError for a header value of the wrong type, and
 * ConfigError for settings that do not resolve (naming a recorded value as such, so the user knows which
 * flag to give).
 */
export function replaySettings(run: ReplayRun, cli: ReplayCommandLine, source: string): ReplaySettings {
  const { flags: recorded, legacy } = featureFlagsFromRecording(run.recordedConfig, source);
  const fromRecording: string[] = [];
  const overridden: string[] = [];
  const applied = new Set<string>();

  let intervalSec = cli.flags.interval ?? 1.0;
  if (run.nominalIntervalSec !== null) {
    if (!cli.given('interval')) {
      intervalSec = run.nominalIntervalSec;
      applied.add('interval');
      fromRecording.push(`--interval ${intervalSec}`);
    } else if (cli.flags.interval !== run.nominalIntervalSec) {
      overridden.push('--interval');
    }
  }
  const recordedSample = run.recordedConfig?.['sample'];
  let sample: SampleMode = cli.flags.sample ?? 'cadence';
  if (run.sampler === 'diffs' && (recordedSample === 'cadence' || recordedSample === 'event')) {
    if (!cli.given('sample')) {
      sample = recordedSample;
      fromRecording.push(`--sample ${sample}`);
    } else if (cli.flags.sample !== recordedSample) {
      overridden.push('--sample');
    }
  }

  const taken: RecordedFlagKey[] = [];
  for (const key of RECORDED_FLAG_KEYS) {
    const value = recorded[key];
    if (value === undefined) continue;
    const differs = !sameValue(cli.flags[key], value);
    if (cli.given(key)) {
      if (differs) overridden.push(`--${flagName(key)}`);
      continue;
    }
    taken.push(key);
    applied.add(flagName(key));
    const shown = differs ? formatFlag(key, value) : null;
    if (shown !== null) fromRecording.push(shown);
  }
  const merged: FeatureFlags = { ...cli.flags, ...pick(recorded, taken) };
  let features: FeatureOptions;
  try {
    features = featureOptionsFrom(merged, intervalSec);
  } catch (error) {
    if (error instanceof ConfigError && error.option !== undefined && applied.has(error.option)) {
      throw new ConfigError(
        `${error.message} (--${error.option} is the recording's setting; give --${error.option} on the ` +
          'command line to change it)',
        error.option,
      );
    }
    throw error;
  }
  return {
    features,
    intervalSec,
    sample,
    fromRecording,
    overridden,
    legacy,
    recorded: run.recordedConfig !== null,
  };
}

/** Returns the entries of `o` under `keys` that are set. */
function pick<T extends object>(o: T, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/**
 * Returns `label: <settings>` saying which recorded settings a replay used (and which the command line
 * overrode), or null when the input recorded none.
 */
export function describeSettings(s: ReplaySettings, label: string): string | null {
  if (!s.recorded) return null;
  const used = s.fromRecording.length > 0 ? s.fromRecording.join(' ') : 'the defaults';
  return (
    `${label}: ${used}` +
    (s.legacy ? ' (an older recording: it names no other feature flags, so those are the defaults)' : '') +
    (s.overridden.length > 0 ? `; overridden on the command line: ${s.overridden.join(' ')}` : '')
  );
}
