import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { OnlineLogit } from '../../../src/core/signal/online-logit.js';
import { Prng } from '../../../src/exchanges/simulator/prng.js';

describe('OnlineLogit', () => {
  it('takes one SGD step by hand on standardised inputs', () => {
    const m = new OnlineLogit({ inputs: 1, learningRate: 0.1, l2: 0, warmupLabels: 0 });
    m.observe([1]);
    m.observe([3]);
    // mean 2, sample std √2: z(3) = 1/√2. p = σ(0) = 1/2, g = p − y = −1/2.
    m.learn([3], 1);
    const z = 1 / Math.SQRT2;
    const [w, b] = m.coefficients as [number, number];
    expect(b).toBeCloseTo(0.05, 15);
    expect(w).toBeCloseTo(0.05 * z, 15);
    expect(m.predict([3])).toBeCloseTo(1 / (1 + Math.exp(-(0.05 + 0.05 * z * z))), 15);
    expect(m.updates).toBe(1);
  });

  it('shrinks weights with the L2 penalty but not the bias', () => {
    const m = new OnlineLogit({ inputs: 1, learningRate: 0.1, l2: 0.5, warmupLabels: 0 });
    m.observe([0]);
    m.observe([2]);
    m.learn([2], 1); // w = 0.1·0.5·z, b = 0.05
    const [w1] = m.coefficients as [number, number];
    m.learn([1], 1); // z = 0: the gradient on w is only the penalty, w ← w(1 − ηλ)
    const [w2, b2] = m.coefficients as [number, number];
    expect(w2).toBeCloseTo(w1 * (1 - 0.1 * 0.5), 15);
    expect(b2).toBeGreaterThan(0.05);
  });

  it('reports no probability before warm-up or with a missing input, and skips learning such rows', () => {
    const m = new OnlineLogit({ inputs: 2, warmupLabels: 2 });
    m.observe([1, 2]);
    m.observe([2, 1]);
    expect(m.predict([1, 1])).toBeNaN();
    m.learn([1, Number.NaN], 1);
    expect(m.updates).toBe(0);
    m.learn([1, 1], 1);
    m.learn([2, 2], 0);
    expect(m.predict([1, 1])).toBeGreaterThan(0);
    expect(m.predict([1, Number.NaN])).toBeNaN();
  });

  it('learns a noisy linear rule walk-forward (each prediction before its own label)', () => {
    const rand = new Prng(7);
    const m = new OnlineLogit({ inputs: 2 });
    let right = 0;
    let scored = 0;
    for (let i = 0; i < 4000; i++) {
      // y depends on the first input only; the second is noise on another scale.
      const x = [rand.normal(), 100 * rand.normal()];
      const y = x[0]! + 0.5 * rand.normal() > 0 ? 1 : 0;
      m.observe(x);
      const p = m.predict(x);
      if (i >= 2000) {
        scored++;
        if ((p >= 0.5 ? 1 : 0) === y) right++;
      }
      m.learn(x, y);
    }
    expect(right / scored).toBeGreaterThan(0.8);
    const [w0, w1] = m.coefficients as [number, number];
    expect(w0).toBeGreaterThan(1);
    expect(Math.abs(w1)).toBeLessThan(0.3);
  });

  it('rejects bad options', () => {
    expect(() => new OnlineLogit({ inputs: 0 })).toThrow(ConfigError);
    expect(() => new OnlineLogit({ inputs: 1, learningRate: 0 })).toThrow(ConfigError);
    expect(() => new OnlineLogit({ inputs: 1, l2: -1 })).toThrow(ConfigError);
  });
});
