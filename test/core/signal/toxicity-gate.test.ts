import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { ToxicityGate, type GateState } from '../../../src/core/signal/toxicity-gate.js';

const NA = Number.NaN;

function feed(
  gate: ToxicityGate,
  xs: readonly number[],
  stepMs = 1000,
): { states: GateState[]; ages: number[] } {
  const states: GateState[] = [];
  const ages: number[] = [];
  xs.forEach((x, i) => {
    states.push(gate.updateValue(x, i * stepMs));
    ages.push(gate.ageRows);
  });
  return { states, ages };
}

describe('ToxicityGate', () => {
  it('enters after persistence, exits with hysteresis, and drops to neutral on missing data (by hand)', () => {
    const gate = new ToxicityGate({ entry: 0.5, exit: 0.2, persistSamples: 2 });
    const xs = [0.1, 0.6, 0.7, 0.3, 0.1, -0.6, NA, -0.6, -0.55, -0.25, 0.9, 0.9, 0.9];
    const { states, ages } = feed(gate, xs);
    // 0.6 then 0.7: bullish on the 2nd row beyond 0.5; 0.3 >= exit keeps it; 0.1 < exit leaves it.
    // -0.6 then a missing row: persistence restarts; -0.6, -0.55: bearish; -0.25 <= -exit keeps it;
    // 0.9 leaves bearish (to neutral: a flip goes through neutral and persistence restarts), bullish 2 rows later.
    expect(states).toEqual([0, 0, 1, 1, 0, 0, 0, 0, -1, -1, 0, 0, 1]);
    expect(ages).toEqual([0, 1, 0, 1, 0, 1, 2, 3, 0, 1, 0, 1, 0]);
  });

  it('reads a row: the input column, time_ms, and status (a non-ok row is neutral whatever the carried EWMA)', () => {
    const gate = new ToxicityGate({ entry: 0.5, exit: 0.2, persistSamples: 1 });
    expect(gate.update({ time_ms: 0, status: 'ok', obi_ema: 0.8 })).toBe(1);
    expect(gate.update({ time_ms: 1000, status: 'missing', obi_ema: 0.8 })).toBe(0);
    expect(gate.update({ time_ms: 2000, status: 'ok', obi_ema: 0.8 })).toBe(1);
    const onZ = new ToxicityGate({ input: 'obi_z', entry: 2, exit: 1, persistSamples: 1 });
    expect(onZ.update({ time_ms: 0, obi_ema: 0.9, obi_z: -2.5 })).toBe(-1);
  });

  it('needs the entry condition to have lasted persistSec seconds', () => {
    const gate = new ToxicityGate({ entry: 0.5, exit: 0.2, persistSamples: 1, persistSec: 2 });
    expect(feed(gate, [0.6, 0.6, 0.6, 0.6]).states).toEqual([0, 0, 1, 1]);
    expect(gate.ageMs(3000)).toBe(1000);
  });

  it('with vpinMin, enters only while VPIN is at least that', () => {
    const gate = new ToxicityGate({ entry: 0.5, exit: 0.2, persistSamples: 1, vpinMin: 0.3 });
    expect(gate.updateValue(0.9, 0, 0.1)).toBe(0);
    expect(gate.updateValue(0.9, 1000, NA)).toBe(0);
    expect(gate.updateValue(0.9, 2000, 0.35)).toBe(1);
    // Staying does not need VPIN.
    expect(gate.updateValue(0.9, 3000, 0.1)).toBe(1);
  });

  it('uses causal rolling quantiles of |x| over the previous valid rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constant(NA)), { maxLength: 60 }),
        (xs) => {
          const window = 9;
          const gate = new ToxicityGate({ window, entryQuantile: 0.8, exitQuantile: 0.5, persistSamples: 1 });
          const past: number[] = [];
          for (const [i, x] of xs.entries()) {
            gate.updateValue(x, i);
            const last = past.slice(-window);
            const q = (p: number): number => {
              const s = [...last].sort((a, b) => a - b);
              const pos = p * (s.length - 1);
              const lo = Math.floor(pos);
              return lo + 1 < s.length ? s[lo]! + (s[lo + 1]! - s[lo]!) * (pos - lo) : s[lo]!;
            };
            if (last.length >= 3) {
              expect(gate.entryThreshold).toBeCloseTo(q(0.8), 12);
              expect(gate.exitThreshold).toBeCloseTo(q(0.5), 12);
            } else {
              expect(gate.entryThreshold).toBeNaN();
            }
            if (!Number.isNaN(x)) past.push(Math.abs(x));
          }
        },
      ),
    );
  });

  it('obeys its rules on any input (fixed thresholds)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constant(NA)), { maxLength: 80 }),
        fc.integer({ min: 1, max: 4 }),
        (xs, persist) => {
          const entry = 0.5;
          const exit = 0.2;
          const gate = new ToxicityGate({ entry, exit, persistSamples: persist });
          const { states, ages } = feed(gate, xs);
          states.forEach((s, i) => {
            const x = xs[i]!;
            const before = i > 0 ? states[i - 1]! : 0;
            if (Number.isNaN(x)) expect(s).toBe(0);
            if (s === 1) expect(x).toBeGreaterThanOrEqual(exit);
            if (s === -1) expect(x).toBeLessThanOrEqual(-exit);
            if (s !== 0 && before !== s) {
              // Entered: the last `persist` rows were all beyond the entry threshold on that side.
              expect(before).toBe(0);
              expect(i + 1).toBeGreaterThanOrEqual(persist);
              for (let k = i - persist + 1; k <= i; k++) expect(s * xs[k]!).toBeGreaterThanOrEqual(entry);
            }
            expect(ages[i]).toBe(i > 0 && before === s ? ages[i - 1]! + 1 : 0);
          });
        },
      ),
    );
  });

  it('flips through neutral even when one row would satisfy the other side (persist 1)', () => {
    // Found by the property above (seed 2020933594): +0.5 then -0.5 went from bullish straight to bearish.
    const gate = new ToxicityGate({ entry: 0.5, exit: 0.2, persistSamples: 1 });
    expect(feed(gate, [0.5, -0.5, -0.5]).states).toEqual([1, 0, -1]);
  });

  it('rejects inconsistent options', () => {
    expect(() => new ToxicityGate({ entry: 0.5 })).toThrow(ConfigError);
    expect(() => new ToxicityGate({ entry: 0.2, exit: 0.5 })).toThrow(ConfigError);
    expect(() => new ToxicityGate({ entryQuantile: 0.5, exitQuantile: 0.6 })).toThrow(ConfigError);
    expect(() => new ToxicityGate({ persistSamples: 0 })).toThrow(ConfigError);
    expect(() => new ToxicityGate({ window: 2 })).toThrow(ConfigError);
  });
});
