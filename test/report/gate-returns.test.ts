import { describe, expect, it } from 'vitest';
import { GateReturns } from '../../src/report/gate-returns.js';
import { gateStateOf } from '../../src/report/gate-state.js';

describe('gateStateOf', () => {
  it('reads names and signed numbers alike', () => {
    expect(['bearish', 'Bullish', ' neutral ', '-1', '1', '0', '2'].map(gateStateOf)).toEqual([
      -1, 1, 0, -1, 1, 0, 1,
    ]);
    expect([-0.5, 0, 3].map(gateStateOf)).toEqual([-1, 0, 1]);
    expect(['', 'maybe', null, Number.NaN, undefined].map(gateStateOf)).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('GateReturns', () => {
  it('tabulates each state against the base rate, by hand', () => {
    const g = new GateReturns(1);
    g.add(-1, [-2]);
    g.add(-1, [-4]);
    g.add(-1, [0]);
    g.add(0, [1]);
    g.add(1, [Number.NaN]);
    const t = g.result();
    expect(t.states.map((s) => [s.name, s.rows, s.share])).toEqual([
      ['bearish', 3, 0.6],
      ['neutral', 1, 0.2],
      ['bullish', 1, 0.2],
    ]);
    const bear = t.states[0]!.returns[0]!;
    expect(bear.n).toBe(3);
    expect(bear.mean).toBe(-2);
    expect(bear.down).toBeCloseTo(2 / 3, 15);
    expect(bear.up).toBe(0);
    // sample sd = 2, se = 2/√3
    expect(bear.t).toBeCloseTo(-2 / (2 / Math.sqrt(3)), 12);
    expect(t.states[2]!.returns[0]!.n).toBe(0);
    expect(t.all[0]).toMatchObject({ n: 4, mean: -1.25, up: 0.25, down: 0.5 });
  });
});
