/**
 * Which settings a replayed run uses: a typed flag, else the recording header's, else the default; and the
 * header's `feature_flags` read back as the flags that wrote them.
 */
import { Command, Option } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addFeatureFlags,
  featureFlagsFromRecording,
  featureOptionsFrom,
  recordedFeatureFlags,
  type FeatureFlags,
} from '../../src/cli/common-flags.js';
import { describeSettings, replaySettings, type ReplayCommandLine } from '../../src/cli/replay-settings.js';
import type { ReplayRun } from '../../src/cli/replay-source.js';
import { ConfigError, ParseError } from '../../src/errors.js';
import { resolveFeatureOptions, type FeatureOptions } from '../../src/options.js';
import type { SampleMode } from '../../src/pipeline/diff-sampler.js';

/** The replay command line as commander parses it (the real flags and defaults). */
function commandLine(...args: string[]): ReplayCommandLine {
  const cmd = new Command().exitOverride();
  cmd.addOption(new Option('--sample <how>').choices(['cadence', 'event']));
  addFeatureFlags(cmd, undefined);
  cmd.parse(args, { from: 'user' });
  return {
    flags: cmd.opts<FeatureFlags & { sample?: SampleMode }>(),
    given: (key) => cmd.getOptionValueSource(key) === 'cli',
  };
}

function run(config: Record<string, unknown> | null, sampler: 'diffs' | 'snapshots' = 'diffs'): ReplayRun {
  const interval = config?.['interval'];
  return {
    nominalIntervalSec: typeof interval === 'number' ? interval : null,
    sampler,
    recordedConfig: config,
    venue: null,
    createdMs: null,
    events: (async function* () {})(),
  };
}

const LIVE: FeatureOptions = resolveFeatureOptions({
  levels: 5,
  intervalSec: 0.2,
  ema: 7,
  obiLevels: [1, 3],
  horizonsMs: [1000, 2000],
  predictHorizonMs: 1000,
  gateEntry: 0.4,
  gateExit: 0.1,
  gateWindow: 40,
  trades: true,
  gateVpinMin: 0.3,
  vpinBucketVolume: 2.5,
});

describe('feature_flags in the header', () => {
  it('read back, give the options the live run resolved', () => {
    const header = JSON.parse(JSON.stringify({ feature_flags: recordedFeatureFlags(LIVE) })) as Record<
      string,
      unknown
    >;
    const { flags, legacy } = featureFlagsFromRecording(header, 'rec');
    expect(legacy).toBe(false);
    expect(featureOptionsFrom(flags as FeatureFlags, 0.2)).toEqual(LIVE);
  });

  it('round-trip any valid options (property)', () => {
    const options = fc.record({
      levels: fc.integer({ min: 1, max: 5000 }),
      ema: fc.integer({ min: 1, max: 1_000_000 }),
      obiLevels: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 4 }),
      decayAlpha: fc.double({ min: 0, max: 10, noNaN: true }),
      ofiLevels: fc.integer({ min: 1, max: 100 }),
      horizonsMs: fc.uniqueArray(fc.integer({ min: 1, max: 600_000 }), { maxLength: 4 }),
      labelPrice: fc.constantFrom('mid' as const, 'weighted_mid' as const),
      leadLagMax: fc.integer({ min: 0, max: 1000 }),
      gateWindow: fc.integer({ min: 3, max: 1_000_000 }),
      gatePersistSamples: fc.integer({ min: 1, max: 1_000_000 }),
      vpinBuckets: fc.integer({ min: 1, max: 100_000 }),
      trades: fc.boolean(),
      vpinBucketVolume: fc.option(fc.double({ min: 0.001, max: 1e6, noNaN: true })),
    });
    fc.assert(
      fc.property(options, (partial) => {
        const live = resolveFeatureOptions({ ...partial, intervalSec: 0.5 });
        const header = JSON.parse(JSON.stringify({ feature_flags: recordedFeatureFlags(live) })) as Record<
          string,
          unknown
        >;
        const { flags } = featureFlagsFromRecording(header, 'rec');
        expect(featureOptionsFrom({ ...commandLine().flags, ...flags }, 0.5)).toEqual(live);
      }),
      { numRuns: 200 },
    );
  });

  it('a value of the wrong type is a ParseError naming the recording and the flag; unknown flags are ignored', () => {
    expect(() => featureFlagsFromRecording({ feature_flags: { levels: '5' } }, 'rec.ndjson')).toThrow(
      ParseError,
    );
    expect(() => featureFlagsFromRecording({ feature_flags: { 'obi-levels': [1, 'x'] } }, 'r')).toThrow(
      'config.feature_flags["obi-levels"]',
    );
    expect(() => featureFlagsFromRecording({ feature_flags: { 'gate-input': 'spread' } }, 'r')).toThrow(
      /one of obi_ema/,
    );
    expect(() => featureFlagsFromRecording({ feature_flags: [1] }, 'r')).toThrow(ParseError);
    expect(featureFlagsFromRecording({ feature_flags: { 'new-flag': 1, ema: 9 } }, 'r').flags).toEqual({
      ema: 9,
    });
  });

  it('an older header without feature_flags gives the feature keys it has', () => {
    const old = {
      levels: 5,
      ema: 12,
      obi_levels: [1, 2],
      decay_alpha: 0.5,
      ofi_levels: 3,
      extreme_quantile: 0.8,
    };
    expect(featureFlagsFromRecording(old, 'r')).toEqual({
      flags: { levels: 5, ema: 12, obiLevels: [1, 2], decayAlpha: 0.5, ofiLevels: 3, extremeQuantile: 0.8 },
      legacy: true,
    });
    expect(featureFlagsFromRecording(null, 'r')).toEqual({ flags: {}, legacy: false });
  });
});

describe('replaySettings', () => {
  const config = {
    interval: 0.2,
    sample: 'event',
    tick_start_ms: 1000,
    feature_flags: recordedFeatureFlags(LIVE),
  };

  it('takes every setting the command line does not give from the recording', () => {
    const s = replaySettings(run(config), commandLine(), 'rec');
    expect(s.features).toEqual(LIVE);
    expect(s.intervalSec).toBe(0.2);
    expect(s.sample).toBe('event');
    expect(s.overridden).toEqual([]);
    expect(describeSettings(s, 'settings')).toBe(
      'settings: --interval 0.2 --sample event --levels 5 --ema 7 --obi-levels 1,3 --horizons 1s,2s ' +
        '--gate-entry 0.4 --gate-exit 0.1 --gate-window 40 --gate-vpin-min 0.3 --predict-horizon 1s --trades ' +
        '--vpin-bucket-volume 2.5',
    );
  });

  it('a typed flag wins and is named as overriding; a typed flag equal to the recording is not', () => {
    const s = replaySettings(
      run(config),
      commandLine('--ema', '30', '--interval', '1', '--sample', 'cadence', '--levels', '5'),
      'rec',
    );
    expect(s.features).toEqual({ ...LIVE, ema: 30, intervalSec: 1 });
    expect(s.sample).toBe('cadence');
    expect(s.overridden).toEqual(['--interval', '--sample', '--ema']);
    expect(describeSettings(s, 'x')).toMatch(
      /^x: --obi-levels 1,3 .*; overridden on the command line: --interval --sample --ema$/,
    );
  });

  it('without a recorded config: the command line and the defaults, and nothing to say', () => {
    const s = replaySettings(run(null, 'snapshots'), commandLine('--levels', '7'), 'tardis.csv');
    expect(s.features).toEqual(featureOptionsFrom(commandLine('--levels', '7').flags, 1));
    expect(s.intervalSec).toBe(1);
    expect(describeSettings(s, 'x')).toBeNull();
  });

  it('an older recording: its levels and interval, the rest defaults, and it says so', () => {
    const s = replaySettings(
      run({ interval: 0.5, mode: 'poll', levels: 5, ema: 30 }, 'snapshots'),
      commandLine(),
      'r',
    );
    expect(s.features.levels).toBe(5);
    expect(s.intervalSec).toBe(0.5);
    expect(s.features.horizonsMs).toEqual([1000, 5000, 30_000, 60_000]);
    expect(describeSettings(s, 'x')).toBe(
      'x: --interval 0.5 --levels 5 (an older recording: it names no other feature flags, so those are the defaults)',
    );
  });

  it('a recorded setting that conflicts with a typed flag is named as the recording’s', () => {
    const error = ((): unknown => {
      try {
        replaySettings(run(config), commandLine('--horizons', '5s'), 'rec');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('predict-horizon');
    expect((error as ConfigError).message).toContain(
      "--predict-horizon is the recording's setting; give --predict-horizon on the command line",
    );
    // Out of the library's range in the header (a hand-edited file): named as the recording's too.
    const bad = { ...config, feature_flags: { ...config.feature_flags, 'gate-window': 5_000_000 } };
    expect(() => replaySettings(run(bad), commandLine(), 'rec')).toThrow(
      /--gate-window \(gateWindow\) must be a whole number from 1 to 1000000 .*the recording's setting/,
    );
  });
});
