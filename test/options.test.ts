/** The library's option bounds: the same ranges the CLI's flag parsers enforce, one table for both. */
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFeatureFlags } from '../src/cli/common-flags.js';
import { ConfigError } from '../src/errors.js';
import {
  FEATURE_INT_BOUNDS,
  MIN_INTERVAL_SEC,
  resolveFeatureOptions,
  type FeatureOptions,
} from '../src/options.js';

type Bounded = keyof typeof FEATURE_INT_BOUNDS;

/** Returns the partial options that put `value` in `key` (a list for obiLevels). */
function withValue(key: Bounded, value: number): Partial<FeatureOptions> {
  return key === 'obiLevels' ? { obiLevels: [value] } : { [key]: value };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return null;
}

describe('resolveFeatureOptions bounds', () => {
  it.each(Object.entries(FEATURE_INT_BOUNDS) as [Bounded, (typeof FEATURE_INT_BOUNDS)[Bounded]][])(
    '%s: accepts both ends, refuses one past them, naming the option and the range',
    (key, { flag, min, max }) => {
      // The rolling gate itself needs 3 rows (fixed thresholds take any window of the range).
      const low =
        key === 'gateWindow'
          ? { ...withValue(key, min), gateEntry: 0.5, gateExit: 0.1 }
          : withValue(key, min);
      expect(() => resolveFeatureOptions(low)).not.toThrow();
      expect(() => resolveFeatureOptions(withValue(key, max))).not.toThrow();
      for (const bad of [min - 1, max + 1, min + 0.5]) {
        const error = thrown(() => resolveFeatureOptions(withValue(key, bad)));
        expect(error, `${key}=${bad}`).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).option).toBe(flag);
        expect((error as ConfigError).message).toBe(
          `--${flag} (${key}) must be a whole number from ${min} to ${max} (got ${bad})`,
        );
      }
    },
  );

  it('the gate window, persistence and VPIN buckets are bounded above (a typo must not allocate gigabytes)', () => {
    expect(() => resolveFeatureOptions({ gateWindow: 99_999_999_999 })).toThrow(
      '--gate-window (gateWindow) must be a whole number from 1 to 1000000 (got 99999999999)',
    );
    expect(() => resolveFeatureOptions({ gatePersistSamples: 1_000_001 })).toThrow(ConfigError);
    expect(() => resolveFeatureOptions({ vpinBuckets: 100_001 })).toThrow(
      '--vpin-buckets (vpinBuckets) must be a whole number from 1 to 100000 (got 100001)',
    );
  });

  it('the interval is at least 1 ms, as on the command line', () => {
    expect(resolveFeatureOptions({ intervalSec: MIN_INTERVAL_SEC }).intervalSec).toBe(0.001);
    for (const bad of [1e-9, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => resolveFeatureOptions({ intervalSec: bad }), String(bad)).toThrow(
        '--interval (intervalSec) must be a number of seconds >= 0.001',
      );
    }
  });

  it('the CLI flags refuse exactly what the library refuses', () => {
    const parse = (flag: string, value: number): 'ok' | 'refused' => {
      const cmd = new Command().exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
      addFeatureFlags(cmd, 1);
      try {
        cmd.parse([`--${flag}`, String(value)], { from: 'user' });
        return 'ok';
      } catch (error) {
        if (error instanceof CommanderError) return 'refused';
        throw error;
      }
    };
    for (const key of ['gateWindow', 'gatePersistSamples', 'vpinBuckets'] as const) {
      const { flag, min, max } = FEATURE_INT_BOUNDS[key];
      expect([parse(flag, min), parse(flag, max)]).toEqual(['ok', 'ok']);
      expect([parse(flag, min - 1), parse(flag, max + 1)]).toEqual(['refused', 'refused']);
    }
  });
});
